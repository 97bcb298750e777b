"""The accounts domain's GraphQL fields: the signed-in user, registrations, tokens, passwords,
and user administration (用户管理)."""

from app.schema.accounts import AccountMutations, AccountQueries
from app.schema.user_admin import UserAdminMutations, UserAdminQueries

QUERIES = (AccountQueries, UserAdminQueries)
MUTATIONS = (AccountMutations, UserAdminMutations)
