"""Protection against careless and hostile clients, and what errors may say.

- Tokens (``MaxTokensLimiter``), depth and aliases (validation rules below) bound the document.
- The node budget bounds the work: along every path, the ``first`` of each connection multiplies
  (a plain list of objects counts ``LIST_WEIGHT``), and the sum over all paths may not exceed
  ``NODE_BUDGET``. It is computed with the request's variables, just before execution.
- ``ParserCache`` and ``ValidationCache`` skip re-parsing and re-validating repeated documents; the
  rule classes are module-level so that the validation cache's key stays the same across requests.
- Every error carries ``extensions.code``. Errors from inside the server are masked; a
  ``DomainError`` (with its Chinese message and code) and the request's own mistakes (syntax,
  validation, variables) are not.
"""

import contextlib
from collections.abc import Iterator
from typing import Any

from graphql import (
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
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
    get_named_type,
    get_operation_ast,
    is_composite_type,
)
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
    ValidationCache,
)

from app.errors import DomainError
from app.schema.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from app.web.errors import is_database_busy

MAX_TOKENS = 2000
MAX_DEPTH = 12
MAX_ALIASES = 20
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


def _fragments(context: ValidationContext) -> dict[str, FragmentDefinitionNode]:
    return {
        d.name.value: d
        for d in context.document.definitions
        if isinstance(d, FragmentDefinitionNode)
    }


def _operations(context: ValidationContext) -> list[OperationDefinitionNode]:
    return [d for d in context.document.definitions if isinstance(d, OperationDefinitionNode)]


def _selections(selection_set: SelectionSetNode | None, fragments, seen: frozenset[str]):
    """(field, fragments seen so far) for every field of a selection set, through fragments."""
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            yield selection, seen
        elif isinstance(selection, InlineFragmentNode):
            yield from _selections(selection.selection_set, fragments, seen)
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is not None and name not in seen:
                yield from _selections(fragment.selection_set, fragments, seen | {name})


class DepthLimit(ValidationRule):
    """Fields may nest at most ``MAX_DEPTH`` deep (introspection fields are not counted)."""

    def __init__(self, context: ValidationContext):
        super().__init__(context)
        fragments = _fragments(context)
        for operation in _operations(context):
            depth = self._depth(operation.selection_set, fragments, frozenset(), 0)
            if depth > MAX_DEPTH:
                self.report_error(
                    _error(
                        f"查询嵌套过深：{depth} 层，最多 {MAX_DEPTH} 层",
                        "query_too_deep",
                        [operation],
                    )
                )

    def _depth(self, selection_set, fragments, seen, depth: int) -> int:
        deepest = depth
        if depth > MAX_DEPTH:
            return depth
        for field, now_seen in _selections(selection_set, fragments, seen):
            if field.name.value.startswith("__") or field.selection_set is None:
                continue
            deepest = max(deepest, self._depth(field.selection_set, fragments, now_seen, depth + 1))
        return deepest


class AliasLimit(ValidationRule):
    """At most ``MAX_ALIASES`` aliased fields per document (aliases multiply work cheaply)."""

    def __init__(self, context: ValidationContext):
        super().__init__(context)
        fragments = _fragments(context)
        count = sum(
            self._aliases(operation.selection_set, fragments) for operation in _operations(context)
        )
        if count > MAX_ALIASES:
            self.report_error(
                _error(f"别名过多：{count} 个，最多 {MAX_ALIASES} 个", "too_many_aliases")
            )

    def _aliases(self, selection_set, fragments) -> int:
        count = 0
        for field, _ in _selections(selection_set, fragments, frozenset()):
            count += field.alias is not None
            count += self._aliases(field.selection_set, fragments)
        return count


LIMIT_RULES = [DepthLimit, AliasLimit]


class NodeBudget(SchemaExtension):
    """Refuse, before executing, an operation that could return more than ``NODE_BUDGET`` nodes."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        operation = get_operation_ast(document, context.operation_name) if document else None
        if operation is not None and context.result is None:
            problem = _check_budget(
                context.schema._schema, document, operation, context.variables or {}
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
        walker.walk(root, operation.selection_set, 1)
    except _PageSizeError as exc:
        return _error(
            f"first 应在 0 到 {MAX_PAGE_SIZE} 之间（收到 {exc.args[0]}）",
            "page_size_invalid",
            [exc.args[1]],
        )
    if walker.total > NODE_BUDGET:
        return _error(
            f"查询可能返回 {walker.total} 个对象，超过每次 {NODE_BUDGET} 个的上限；"
            "请减小 first 或分页查询",
            "node_budget_exceeded",
            [operation],
        )
    return None


class _PageSizeError(Exception):
    pass


class _Budget:
    def __init__(self, schema, fragments, variables, defaults):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.defaults = defaults
        self.total = 0

    def walk(self, parent_type, selection_set, multiplier: int, seen=frozenset()) -> None:
        if parent_type is None or selection_set is None or self.total > NODE_BUDGET:
            return
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                self._field(parent_type, selection, multiplier, seen)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                target = self.schema.get_type(condition.name.value) if condition else parent_type
                self.walk(target, selection.selection_set, multiplier, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is not None and name not in seen:
                    target = self.schema.get_type(fragment.type_condition.name.value)
                    self.walk(target, fragment.selection_set, multiplier, seen | {name})

    def _field(self, parent_type, node: FieldNode, multiplier: int, seen) -> None:
        fields = getattr(parent_type, "fields", None) or {}
        definition = fields.get(node.name.value)
        if definition is None or node.selection_set is None:
            return
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return
        if named.name.endswith("Connection") and "first" in definition.args:
            size = self._first(node)
            multiplier *= size
            self.total += multiplier
        elif _is_list(definition.type) and not parent_type.name.endswith("Connection"):
            multiplier *= LIST_WEIGHT
            self.total += multiplier
        self.walk(named, node.selection_set, multiplier, seen)

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

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            with_code(error)
        return processed


def with_code(error: GraphQLError) -> GraphQLError:
    if not (error.extensions or {}).get("code"):
        error.extensions = {**(error.extensions or {}), "code": error_code(error)}
    return error


def extensions(*, introspection: bool) -> list:
    """The schema's extensions, as classes or factories (one instance per request)."""
    return [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: CachedParser(maxsize=CACHE_SIZE),
        lambda: AddValidationRules(LIMIT_RULES),
        *([] if introspection else [DisableIntrospection]),
        lambda: ValidationCache(maxsize=CACHE_SIZE),
        NodeBudget,
        ErrorPolicy,
    ]
