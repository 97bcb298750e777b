"""The 劳务协作 domain's GraphQL fields."""

QUERIES = ()
MUTATIONS = ()
