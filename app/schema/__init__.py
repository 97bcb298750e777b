"""The GraphQL adapter (Strawberry): types, queries and mutations per domain, merged in ``schema``.

Resolvers are thin: they parse arguments, call ``app.services`` (writes) or
``app.services.queries`` (reads) and shape the result; every rule lives in the services and
``app.permissions``.
"""
