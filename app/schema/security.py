"""Protection against careless and hostile clients, and what errors may say.

- Tokens (``MaxTokensLimiter``) bound the document; the project's own checks
  (app/schema/document_checks.py: fragment cycles, depth, aliases, fields after expansion,
  repeated fields) run before graphql-core's rules, which never see a document they refuse.
- The node budget bounds the work: along every path, the ``first`` of each connection multiplies
  (a plain list of objects counts ``LIST_WEIGHT``), and the sum over all paths may not exceed
  ``NODE_BUDGET``. It is computed with the request's variables, just before execution.
- ``ParserCache`` and ``CheckedValidation`` skip re-parsing and re-checking repeated documents.
- Every error carries ``extensions.code``. Errors from inside the server are masked; a
  ``DomainError`` (with its Chinese message and code) and the request's own mistakes (syntax,
  validation, variables) are not.
"""

import contextlib
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    OperationType,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_composite_type,
)
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)

from app.errors import DomainError
from app.http import is_database_busy
from app.schema.document_checks import check_document
from app.schema.execution import core_schema
from app.schema.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE

MAX_TOKENS = 2000
NODE_BUDGET = 10_000
LIST_WEIGHT = 20
CACHE_SIZE = 256
MASKED_MESSAGE = "服务器内部错误，请稍后再试；如果问题一直存在，请联系运城市乡村振兴局"
BUSY_MESSAGE = "系统繁忙：其他操作正在保存数据，本次操作没有保存，请稍等几秒后重试"


class CachedParser(ParserCache):
    """``ParserCache`` that leaves a document it cannot parse to Strawberry's own parse step.

    ``ParserCache`` raises a syntax error from inside the parsing hook, outside the operation's
    error handling, so the error would skip ``ErrorPolicy`` (and get no code). Parsing again costs
    little: the token limit keeps documents short.
    """

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        with contextlib.suppress(GraphQLError):
            context.graphql_document = self.cached_parse_document(
                context.query, **context.parse_options
            )
        yield


def _error(message: str, code: str, nodes=None) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": code})


class _Same:
    """A document as a cache key by identity: ``ParserCache`` hands out the same document for the
    same text, and a document's own hash walks its whole tree. The key keeps the document alive,
    so its ``id`` is not reused while cached."""

    __slots__ = ("document",)

    def __init__(self, document: DocumentNode) -> None:
        self.document = document

    def __hash__(self) -> int:
        return id(self.document)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.document is self.document


@lru_cache(maxsize=CACHE_SIZE)
def _checked(same: _Same) -> GraphQLError | None:
    return check_document(same.document)


class CheckedValidation(ValidationCache):
    """``ValidationCache`` that applies the project's own checks first (cached the same way): a
    document they refuse never reaches graphql-core's rules, the costliest of which compares
    fields pairwise (app/schema/document_checks.py)."""

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        problem = _checked(_Same(context.graphql_document))
        if problem is None:
            yield from super().on_validate()
            return
        context.pre_execution_errors = [problem]  # Strawberry then skips its own validation
        yield


class NodeBudget(SchemaExtension):
    """Refuse, before executing, an operation that could return more than ``NODE_BUDGET`` nodes."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = get_operation_ast(document, context.operation_name) if document else None
        if operation is not None and context.result is None:
            problem = _check_budget(
                core_schema(context.schema), document, operation, context.variables or {}
            )
            if problem is not None:
                context.result = ExecutionResult(data=None, errors=[problem])
        yield


def _check_budget(
    schema: GraphQLSchema, document, operation: OperationDefinitionNode, variables: dict
) -> GraphQLError | None:
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    defaults = {
        d.variable.name.value: d.default_value for d in operation.variable_definitions or ()
    }
    root = {
        OperationType.QUERY: schema.query_type,
        OperationType.MUTATION: schema.mutation_type,
    }.get(operation.operation)
    walker = _Budget(schema, fragments, variables, defaults)
    try:
        total = walker.weight(root, operation.selection_set)
    except _PageSizeError as exc:
        return _error(
            f"first 应在 0 到 {MAX_PAGE_SIZE} 之间（收到 {exc.args[0]}）",
            "page_size_invalid",
            [exc.args[1]],
        )
    if total > NODE_BUDGET:
        return _error(
            f"查询可能返回 {total} 个对象，超过每次 {NODE_BUDGET} 个的上限；"
            "请减小 first 或分页查询",
            "node_budget_exceeded",
            [operation],
        )
    return None


class _PageSizeError(Exception):
    pass


class _Budget:
    """The node weight of a selection set with multiplier 1; under a multiplier it weighs that
    many times more, so each fragment is weighed once and its weight reused at every spread."""

    def __init__(self, schema, fragments, variables, defaults):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults = defaults
        self.weights: dict[str, int] = {}
        self.visits = 0

    def weight(self, parent_type, selection_set) -> int:
        if parent_type is None or selection_set is None:
            return 0
        total = 0
        for selection in selection_set.selections:
            self.visits += 1
            if isinstance(selection, FieldNode):
                total += self._field(parent_type, selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent_type
                total += self.weight(target, selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += self._fragment(selection.name.value)
        return total

    def _fragment(self, name: str) -> int:
        known = self.weights.get(name)
        if known is not None:
            return known
        fragment = self.fragments.get(name)
        if fragment is None:
            return 0
        self.weights[name] = 0  # a cycle (refused before execution) adds nothing
        target = self.schema.get_type(fragment.type_condition.name.value)
        weight = self.weights[name] = self.weight(target, fragment.selection_set)
        return weight

    def _field(self, parent_type, node: FieldNode) -> int:
        fields = getattr(parent_type, "fields", None) or {}
        definition = fields.get(node.name.value)
        if definition is None or node.selection_set is None:
            return 0
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return 0
        if named.name.endswith("Connection") and "first" in definition.args:
            size = self._first(node)
            return size * (1 + self.weight(named, node.selection_set))
        if _is_list(definition.type) and not parent_type.name.endswith("Connection"):
            return LIST_WEIGHT * (1 + self.weight(named, node.selection_set))
        return self.weight(named, node.selection_set)

    def _first(self, node: FieldNode) -> int:
        argument = next((a for a in node.arguments or () if a.name.value == "first"), None)
        value: Any = DEFAULT_PAGE_SIZE
        if argument is not None:
            raw = argument.value
            if isinstance(raw, IntValueNode):
                value = int(raw.value)
            elif isinstance(raw, VariableNode):
                name = raw.name.value
                given = self.variables.get(name, self.defaults.get(name))
                if isinstance(given, IntValueNode):
                    given = int(given.value)
                if isinstance(given, int) and not isinstance(given, bool):
                    value = given
        if not 0 <= value <= MAX_PAGE_SIZE:
            raise _PageSizeError(value, node)
        return value


def _is_list(type_) -> bool:
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    return isinstance(type_, GraphQLList)


# Errors ---------------------------------------------------------------------------------------


def should_mask_error(error: GraphQLError) -> bool:
    """Mask what went wrong inside the server; keep business errors and the client's mistakes."""
    original = error.original_error
    return original is not None and not isinstance(original, DomainError | GraphQLError)


def error_code(error: GraphQLError) -> str:
    """The code of an error that carries none yet."""
    original = error.original_error
    if isinstance(original, DomainError):
        return original.code
    if isinstance(error, GraphQLSyntaxError):
        return "too_many_tokens" if "tokens" in error.message else "graphql_parse_failed"
    if error.message.startswith("GraphQL introspection has been disabled"):
        return "introspection_disabled"
    if error.path is None:
        return "graphql_validation_failed"
    return "bad_request"


class ErrorPolicy(MaskErrors):
    """``MaskErrors`` that masks only internal failures, and gives every error a code."""

    def __init__(self) -> None:
        super().__init__(should_mask_error=should_mask_error, error_message=MASKED_MESSAGE)

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        masked = super().anonymise_error(error)
        if is_database_busy(error.original_error):
            # Rolled back, safe to retry: say so instead of "internal error".
            masked.message = BUSY_MESSAGE
            masked.extensions = {"code": "database_busy"}
        else:
            masked.extensions = {"code": "internal_error"}
        return masked

    def on_operation(self) -> Iterator[None]:
        yield from super().on_operation()  # masks what must be masked
        for error in getattr(self.execution_context.result, "errors", None) or ():
            with_code(error)


def with_code(error: GraphQLError) -> GraphQLError:
    if not (error.extensions or {}).get("code"):
        error.extensions = {**(error.extensions or {}), "code": error_code(error)}
    return error


def extensions(*, introspection: bool) -> list:
    """The schema's extensions, as classes or factories (one instance per request)."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: CachedParser(maxsize=CACHE_SIZE),
        *([] if introspection else [DisableIntrospection]),
        lambda: CheckedValidation(maxsize=CACHE_SIZE),
        NodeBudget,
        ErrorPolicy,
    ]
