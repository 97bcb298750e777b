"""Which fields a query selects on a connection's nodes, so a loader can fetch them in the same
batch and the fields resolve without waiting (each awaited field costs more than a plain one)."""

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionSetNode

from app.schema.context import Info


def node_fields(info: Info) -> frozenset[str]:
    """Names of the fields selected on the nodes of the connection being resolved, through
    ``nodes { … }`` or ``edges { node { … } }``; the same for every parent, so worked out once."""
    raw = info._raw_info  # graphql-core's info: Strawberry's selected_fields rebuilds the subtree
    key = tuple(id(node) for node in raw.field_nodes)
    cache = info.context.lookahead
    if key not in cache:
        names: set[str] = set()
        for field in raw.field_nodes:
            for child in _fields(field.selection_set, raw.fragments):
                if child.name.value == "nodes":
                    names.update(f.name.value for f in _fields(child.selection_set, raw.fragments))
                elif child.name.value == "edges":
                    for edge in _fields(child.selection_set, raw.fragments):
                        if edge.name.value == "node":
                            names.update(
                                f.name.value for f in _fields(edge.selection_set, raw.fragments)
                            )
        cache[key] = frozenset(names)
    return cache[key]


def selects(info: Info, name: str) -> bool:
    """Whether the current field's selection (a list or an object) includes ``name``."""
    raw = info._raw_info
    return any(
        child.name.value == name
        for field in raw.field_nodes
        for child in _fields(field.selection_set, raw.fragments)
    )


def _fields(selection_set: SelectionSetNode | None, fragments) -> list[FieldNode]:
    found: list[FieldNode] = []
    for selection in selection_set.selections if selection_set else ():
        if isinstance(selection, FieldNode):
            found.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            found.extend(_fields(selection.selection_set, fragments))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                found.extend(_fields(fragment.selection_set, fragments))
    return found
