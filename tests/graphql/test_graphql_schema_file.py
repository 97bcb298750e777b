"""schema.graphql is the printed schema, and the schema documents itself in Chinese."""

import re

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLScalarType,
)

from app.schema.execution import core_schema
from app.schema.export import SCHEMA_FILE, main
from app.schema.schema import create_schema, sdl

CHINESE = re.compile(r"[\u4e00-\u9fff]")
BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def test_schema_graphql_is_in_sync_with_the_code():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == sdl(), (
        "schema.graphql is stale: run `python -m app.schema.export`"
    )
    assert main(["--check"]) == 0


def _undocumented() -> list[str]:
    schema = core_schema(create_schema())
    missing = []

    def check(where: str, description: str | None) -> None:
        if not description or not CHINESE.search(description):
            missing.append(where)

    for name, type_ in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        check(name, type_.description)
        if isinstance(type_, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in type_.fields.items():
                check(f"{name}.{field_name}", field.description)
                for arg_name, arg in field.args.items():
                    check(f"{name}.{field_name}({arg_name})", arg.description)
        elif isinstance(type_, GraphQLInputObjectType):
            for field_name, field in type_.fields.items():
                check(f"{name}.{field_name}", field.description)
        elif isinstance(type_, GraphQLEnumType):
            for value_name, value in type_.values.items():
                check(f"{name}.{value_name}", value.description)
        else:
            assert isinstance(type_, GraphQLScalarType)
    return missing


def test_every_type_field_argument_and_value_is_described_in_chinese():
    assert _undocumented() == []


def test_the_api_offers_the_operations_of_the_issue():
    schema = core_schema(create_schema())
    assert set(schema.query_type.fields) >= {
        "me",
        "counties",
        "villages",
        "village",
        "enterprises",
        "enterprise",
        "cooperatives",
        "cooperative",
        "agreements",
        "agreement",
        "outcomeReports",
        "products",
        "product",
        "demands",
        "orders",
        "node",
        "events",
        "pendingRegistrations",
        "recommendedVillages",
        "recommendedEnterprises",
        "coveragePlan",
        "demandSuggestions",
        "certificationApplications",
        "priceFlags",
        "consumptionByCounty",
        "consumptionByAgreement",
        "reservedShares",
        "reservedShare",
    }
    # Every action the pages offer (other issues add theirs in the same shape).
    assert set(schema.mutation_type.fields) >= {
        "createApiToken",
        "revokeApiToken",
        "changePassword",
        "reviewRegistration",
        "createVillage",
        "registerEnterprise",
        "registerCooperative",
        "updateVillageProfile",
        "addVillageNeed",
        "updateVillageNeed",
        "setVillageNeedStatus",
        "proposeAgreement",
        "reviseProposal",
        "signAgreement",
        "declineAgreement",
        "withdrawAgreement",
        "fileAgreement",
        "completeAgreement",
        "terminateAgreement",
        "submitReport",
        "resubmitReport",
        "confirmReport",
        "verifyReport",
        "returnReport",
        "acceptCoveragePlan",
        "createProduct",
        "updateProduct",
        "updatePriceAndStock",
        "listProduct",
        "delistProduct",
        "addProductImage",
        "removeProductImage",
        "applyForCertification",
        "approveCertification",
        "rejectCertification",
        "postDemand",
        "closeDemand",
        "placeOrder",
        "confirmOrder",
        "shipOrder",
        "receiveOrder",
        "cancelOrder",
        "rateOrder",
        "setReservedShare",
    }
    for name, field in schema.mutation_type.fields.items():
        payload = field.type.of_type
        assert "errors" in payload.fields, name
        assert str(payload.fields["errors"].type) == "[UserError!]!", name
