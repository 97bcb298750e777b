"""The accounts domain's GraphQL fields: the signed-in user, registrations, tokens, passwords."""

from app.schema.accounts import AccountMutations, AccountQueries

QUERIES = (AccountQueries,)
MUTATIONS = (AccountMutations,)
