"""The schema: each domain's queries and mutations merged into ``Query`` and ``Mutation``.

A domain joins by adding its ``…Queries`` / ``…Mutations`` types to the tuples below.
"""

from functools import cache

import strawberry
from graphql import GraphQLError
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.utils.logging import StrawberryLogger

from app.schema import security
from app.schema.accounts import AccountMutations, AccountQueries
from app.schema.audit import AuditQueries
from app.schema.node import NodeQueries
from app.schema.organisations import OrganisationMutations, OrganisationQueries
from app.schema.pairing import PairingMutations, PairingQueries
from app.schema.regions import RegionMutations, RegionQueries
from app.schema.scalars import SCALAR_MAP
from app.schema.trade import TradeQueries

QUERIES = (
    NodeQueries,
    AccountQueries,
    RegionQueries,
    OrganisationQueries,
    PairingQueries,
    TradeQueries,
    AuditQueries,
)
MUTATIONS = (AccountMutations, RegionMutations, OrganisationMutations, PairingMutations)

Query = merge_types("Query", QUERIES)
Query.__strawberry_definition__.description = "查询：村企通的全部公开数据，以及您有权查看的数据"
Mutation = merge_types("Mutation", MUTATIONS)
Mutation.__strawberry_definition__.description = (
    "操作：每个操作返回 { 对象, errors }；业务错误在 errors 中，不会作为顶层错误"
)


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context=None) -> None:
        """Log what failed inside the server; a client's own mistakes are its answer, not news."""
        for error in errors:
            if security.should_mask_error(error):
                StrawberryLogger.error(error, execution_context)


@cache
def create_schema(*, introspection: bool = True) -> Schema:
    """The schema, with introspection (and field suggestions) on or off; built once per flag."""
    return Schema(
        query=Query,
        mutation=Mutation,
        extensions=security.extensions(introspection=introspection),
        config=StrawberryConfig(scalar_map=SCALAR_MAP, disable_field_suggestions=not introspection),
    )


def sdl() -> str:
    """The schema in SDL, as kept in schema.graphql at the repository root."""
    return create_schema().as_str() + "\n"
