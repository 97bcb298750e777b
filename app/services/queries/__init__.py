"""Read-side queries shared by the adapters: scoped by the reader's permissions, filtered, batched.

Each ``select_*`` function returns a statement over one table model with the reader's scope from
``app.permissions`` applied, so a list shows exactly the rows a detail view would; the batch
helpers load many parents' children in one statement. Nothing here writes.
"""
