"""The project's own checks of a GraphQL document, run before graphql-core's validation rules.

A document of 2000 tokens can still describe an enormous query: a fragment that spreads the next
one three times, thirty fragments deep, expands to 3³⁰ fields ("billion laughs"), and
graphql-core's ``OverlappingFieldsCanBeMergedRule`` compares every pair of fields that share a
response name (500 copies of ``counties { code }`` cost it a second). So nothing here expands a
fragment: each definition is walked once, without recursion, and a fragment's figures (depth,
aliases, fields after expansion) are worked out once and added up wherever it is spread, in the
order the spreads allow — which first requires the fragments to form no cycle.

Checks, cheapest first; the first that fails refuses the document:

1. fragment names are unique, at most ``MAX_SPREADS`` spreads (graphql-core compares the
   fragments spread in one selection pairwise), every fragment is used, no fragment spreads
   itself (directly or through others);
2. depth ≤ ``MAX_DEPTH`` (introspection fields not counted), aliases ≤ ``MAX_ALIASES`` and field
   selections after expansion ≤ ``MAX_FIELDS`` — counted, never expanded;
3. within one merged selection (what execution merges: same response name at the same place,
   through fragments) a response name occurs at most ``MAX_REPEATS`` times — this bounds the pairs
   graphql-core compares. It merges each fragment's summary once, after 2 bounded their size.

``visits`` counts the selections and summary entries handled, so that tests can show the work
grows with the document, not with what it expands to.
"""

from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
)

MAX_DEPTH = 12
MAX_ALIASES = 20
MAX_FIELDS = 1000
MAX_REPEATS = 10
MAX_SPREADS = 40


def _error(message: str, code: str, nodes=None) -> GraphQLError:
    return GraphQLError(message, nodes, extensions={"code": code})


@dataclass
class _Definition:
    """What one walk of a definition's own selections found (spreads not followed)."""

    node: OperationDefinitionNode | FragmentDefinitionNode
    depth: int = 0
    aliases: int = 0
    fields: int = 0
    # (fragment name, depth at the spread; None below an introspection field)
    spreads: list[tuple[str, int | None]] = field(default_factory=list)


@dataclass
class DocumentCheck:
    document: DocumentNode
    visits: int = 0
    fragments: dict[str, _Definition] = field(default_factory=dict)
    operations: list[_Definition] = field(default_factory=list)
    # fragment names, each after every fragment it spreads (set by _cycles)
    order: list[str] = field(default_factory=list)

    def run(self) -> GraphQLError | None:
        return self._index() or self._cycles() or self._unused() or self._sizes() or self._repeats()

    # 1 ----------------------------------------------------------------------------------------

    def _index(self) -> GraphQLError | None:
        for node in self.document.definitions:
            if isinstance(node, FragmentDefinitionNode):
                name = node.name.value
                if name in self.fragments:
                    return _error(f"片段名称重复：{name}", "fragment_name_duplicate", [node])
                self.fragments[name] = self._walk(node)
            elif isinstance(node, OperationDefinitionNode):
                self.operations.append(self._walk(node))
        definitions = [*self.fragments.values(), *self.operations]
        spreads = sum(len(d.spreads) for d in definitions)
        if spreads > MAX_SPREADS:
            message = f"片段展开过多：{spreads} 处，最多 {MAX_SPREADS} 处"
            return _error(message, "too_many_fragment_spreads")
        return None

    def _walk(self, node) -> _Definition:
        found = _Definition(node)
        # depth None: below an introspection field, which counts for size but not for depth
        stack: list[tuple[SelectionSetNode, int | None]] = [(node.selection_set, 0)]
        while stack:
            selection_set, depth = stack.pop()
            for selection in selection_set.selections:
                self.visits += 1
                if isinstance(selection, FieldNode):
                    found.fields += 1
                    found.aliases += selection.alias is not None
                    nested = selection.selection_set
                    if nested is None:
                        continue
                    if depth is None or selection.name.value.startswith("__"):
                        stack.append((nested, None))
                        continue
                    found.depth = max(found.depth, depth + 1)
                    stack.append((nested, depth + 1))
                elif isinstance(selection, InlineFragmentNode):
                    stack.append((selection.selection_set, depth))
                elif isinstance(selection, FragmentSpreadNode):
                    found.spreads.append((selection.name.value, depth))
        return found

    def _targets(self, definition: _Definition):
        """The known fragments a definition spreads (unknown ones are graphql-core's to refuse)."""
        return (name for name, _ in definition.spreads if name in self.fragments)

    def _cycles(self) -> GraphQLError | None:
        """Depth-first over the spreads, without recursion; ``order`` lists each fragment after
        every fragment it spreads."""
        state: dict[str, int] = {}  # 1 on the current path, 2 done
        for root in self.fragments:
            if root in state:
                continue
            path = [(root, self._targets(self.fragments[root]))]
            state[root] = 1
            while path:
                name, targets = path[-1]
                for target in targets:
                    if state.get(target) == 1:
                        names = [n for n, _ in path]
                        cycle = [*names[names.index(target) :], target]
                        return _error(
                            f"片段不能循环引用：{' → '.join(cycle)}",
                            "fragment_cycle",
                            [self.fragments[target].node],
                        )
                    if target not in state:
                        state[target] = 1
                        path.append((target, self._targets(self.fragments[target])))
                        break
                else:
                    path.pop()
                    state[name] = 2
                    self.order.append(name)
        return None

    def _unused(self) -> GraphQLError | None:
        used: set[str] = set()
        for operation in self.operations:
            used.update(self._targets(operation))
        for name in reversed(self.order):  # a fragment comes before those it spreads
            if name in used:
                used.update(self._targets(self.fragments[name]))
        for name, fragment in self.fragments.items():
            if name not in used:
                return _error(f"片段 {name} 没有被使用", "fragment_unused", [fragment.node])
        return None

    # 2 ----------------------------------------------------------------------------------------

    def _expanded(self, definition: _Definition, totals: dict) -> tuple[int, int, int]:
        depth, aliases, fields = definition.depth, definition.aliases, definition.fields
        for name, at in definition.spreads:
            if name in totals:
                spread_depth, spread_aliases, spread_fields = totals[name]
                if at is not None:
                    depth = max(depth, at + spread_depth)
                aliases += spread_aliases
                fields += spread_fields
        return depth, aliases, fields

    def _sizes(self) -> GraphQLError | None:
        totals: dict[str, tuple[int, int, int]] = {}
        for name in self.order:
            totals[name] = self._expanded(self.fragments[name], totals)
        all_aliases = all_fields = 0
        for operation in self.operations:
            depth, aliases, fields = self._expanded(operation, totals)
            if depth > MAX_DEPTH:
                return _error(
                    f"查询嵌套过深：{depth} 层，最多 {MAX_DEPTH} 层",
                    "query_too_deep",
                    [operation.node],
                )
            all_aliases += aliases
            all_fields += fields
        if all_aliases > MAX_ALIASES:
            return _error(f"别名过多：{all_aliases} 个，最多 {MAX_ALIASES} 个", "too_many_aliases")
        if all_fields > MAX_FIELDS:
            return _error(
                f"查询展开片段后字段过多：{all_fields} 个，最多 {MAX_FIELDS} 个", "too_many_fields"
            )
        return None

    # 3 ----------------------------------------------------------------------------------------

    def _repeats(self) -> GraphQLError | None:
        summaries: dict[str, dict] = {}
        for name in self.order:
            summary = summaries[name] = {}
            problem = self._summarise(self.fragments[name].node, summary, summaries)
            if problem is not None:
                return problem
        for operation in self.operations:
            problem = self._summarise(operation.node, {}, summaries)
            if problem is not None:
                return problem
        return None

    def _summarise(self, node, summary: dict, summaries: dict) -> GraphQLError | None:
        """Merge ``node``'s selections into ``summary`` (response name → [count, summary below])
        as execution merges them; a spread merges the fragment's summary, made once."""
        stack = [(node.selection_set, summary)]
        while stack:
            selection_set, into = stack.pop()
            for selection in selection_set.selections:
                self.visits += 1
                if isinstance(selection, FieldNode):
                    key = (selection.alias or selection.name).value
                    entry = into.setdefault(key, [0, {}])
                    entry[0] += 1
                    if entry[0] > MAX_REPEATS:
                        return _repeated(key, entry[0], node)
                    if selection.selection_set is not None:
                        stack.append((selection.selection_set, entry[1]))
                elif isinstance(selection, InlineFragmentNode):
                    stack.append((selection.selection_set, into))
                elif isinstance(selection, FragmentSpreadNode):
                    fragment = summaries.get(selection.name.value)
                    if fragment is not None:
                        problem = self._merge(fragment, into, node)
                        if problem is not None:
                            return problem
        return None

    def _merge(self, source: dict, into: dict, node) -> GraphQLError | None:
        stack = [(source, into)]
        while stack:
            source, into = stack.pop()
            for key, (count, below) in source.items():
                self.visits += 1
                entry = into.setdefault(key, [0, {}])
                entry[0] += count
                if entry[0] > MAX_REPEATS:
                    return _repeated(key, entry[0], node)
                if below:
                    stack.append((below, entry[1]))
        return None


def _repeated(key: str, count: int, node) -> GraphQLError:
    return _error(
        f"同一位置的字段 {key} 重复 {count} 次，最多 {MAX_REPEATS} 次；请合并重复的字段",
        "field_repeated",
        [node],
    )


def check_document(document: DocumentNode) -> GraphQLError | None:
    """The first of the project's limits that ``document`` breaks, or None."""
    return DocumentCheck(document).run()
