"""The certification domain (产品认定) has no GraphQL type of its own.

Its fields are served where clients have always found them, and where ``schema.graphql`` orders
them: applying and deciding among the product mutations (``ProductMutations``, trade), the
application queue among the bureau's trade queries (``TradeBureauQueries``), and objections next
to public disclosure (``InboxQueries``/``InboxMutations``, bureau).
"""

QUERIES = ()
MUTATIONS = ()
