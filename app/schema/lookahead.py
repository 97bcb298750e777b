"""Which fields a query selects on a connection's nodes, so a loader can fetch them in the same
batch and the fields resolve without waiting (each awaited field costs more than a plain one)."""

from collections.abc import Iterable, Iterator

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

from app.schema.context import Info


def node_fields(info: Info) -> frozenset[str]:
    """Names of the fields selected on the nodes of the connection being resolved, through
    ``nodes { … }`` or ``edges { node { … } }``; the same for every parent, so worked out once
    per field of the document (Strawberry's ``selected_fields`` converts the whole subtree)."""
    key = _field_of_document(info)
    cache = info.context.lookahead
    if key not in cache:
        names: set[str] = set()
        children = (c for field in info.selected_fields for c in _fields(field.selections))
        for child in children:
            if child.name == "nodes":
                names.update(f.name for f in _fields(child.selections))
            elif child.name == "edges":
                for edge in _fields(child.selections):
                    if edge.name == "node":
                        names.update(f.name for f in _fields(edge.selections))
        cache[key] = frozenset(names)
    return cache[key]


def _field_of_document(info: Info) -> tuple:
    """The field being resolved, the same for every row: its response path without list
    indices, each step with the type it was selected on (a union's branches differ)."""
    steps = []
    path = info.path
    while path is not None:
        if isinstance(path.key, str):
            steps.append((path.key, path.typename))
        path = path.prev
    return tuple(steps)


def _fields(selections: Iterable[Selection]) -> Iterator[SelectedField]:
    """The fields of ``selections``, fragments expanded."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            yield selection
        elif isinstance(selection, FragmentSpread | InlineFragment):
            yield from _fields(selection.selections)
