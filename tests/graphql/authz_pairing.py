"""GraphQL authorization paths for 千企帮千村 beyond the agreements themselves: village profiles
and needs, the agreement lifecycle, outcome reports and their evidence, recommendations and the
coverage planner. The allowed actors are those of the service matrix (tests/authz/)."""

import base64

from tests.authz.pairing_world import PDF
from tests.authz.world import ACTORS, COUNTY_BUREAUS
from tests.graphql.authz_paths import (
    ADMIN_AND_COUNTY,
    ALL_BUREAUS,
    ReadPath,
    WritePath,
    gid,
    node_of,
    non_empty,
    present,
)

VILLAGE = frozenset({"village"})
ACTIVE_READERS = frozenset({"enterprise_b", "village"}) | ADMIN_AND_COUNTY


READ_PATHS = [
    ReadPath(
        "report.evidence",
        "query($id: ID!) { node(id: $id) { ... on OutcomeReport { evidence { filename url } } } }",
        node_of("OutcomeReport", "submitted_report"),
        non_empty("node.evidence"),
        ACTIVE_READERS,
    ),
    ReadPath(
        "agreement.overdue",
        "query($id: ID!) { agreement(id: $id) { overdue } }",
        node_of("PairingAgreement", "active_agreement"),
        present("agreement.overdue"),
        ACTIVE_READERS,
    ),
    ReadPath(
        "recommendedVillages",
        "query($id: ID!) { recommendedVillages(enterpriseId: $id) "
        "{ totalCount nodes { score village { id } parts { text } } } }",
        lambda w: {"id": gid("Enterprise", w.world.enterprise_a)},
        present("recommendedVillages"),
        ALL_BUREAUS | {"enterprise_a", "admin"},
    ),
    ReadPath(
        "recommendedEnterprises",
        "query($id: ID!) { recommendedEnterprises(villageId: $id) "
        "{ totalCount nodes { score enterprise { id } } } }",
        node_of("Village", "village"),
        present("recommendedEnterprises"),
        ADMIN_AND_COUNTY | VILLAGE,
    ),
    ReadPath(
        "coveragePlan",
        "{ coveragePlan { villages lines { score village { id } enterprise { id } } } }",
        lambda w: {},
        present("coveragePlan"),
        ALL_BUREAUS,
    ),
]


def _step(mutation: str, input_type: str, node: str) -> str:
    return f"mutation($i: {input_type}!) {{ {mutation}(input: $i) {{ {node} {{ id }} errors {{ code }} }} }}"


def _agreement_step(mutation: str, input_type: str, key: str, allowed, **extra) -> WritePath:
    return WritePath(
        mutation,
        _step(mutation, input_type, "agreement"),
        lambda w, a: {
            "i": {
                "agreementId": gid("PairingAgreement", getattr(w.world, key)),
                "expectedVersion": 1,
            }
            | extra
        },
        allowed,
    )


def _report_step(mutation: str, input_type: str, key: str, allowed, **extra) -> WritePath:
    return WritePath(
        f"{mutation} ({key})",
        _step(mutation, input_type, "report"),
        lambda w, a: {
            "i": {"reportId": gid("OutcomeReport", getattr(w.world, key)), "expectedVersion": 1}
            | extra
        },
        allowed,
    )


REPORT = {
    "narrative": "本季度采购苹果 2 万斤，带动 6 户脱贫户增收。",
    "actualPurchase": "80000",
    "evidence": [{"filename": "发票.pdf", "contentBase64": base64.b64encode(PDF).decode()}],
}

WRITE_PATHS = [
    WritePath(
        "updateVillageProfile",
        _step("updateVillageProfile", "UpdateVillageProfileInput", "village"),
        lambda w, a: {
            "i": {
                "villageId": gid("Village", w.world.village_id),
                "expectedVersion": w.ids["village_version"],
                "population": 1200,
                "households": 320,
                "liftedHouseholds": 40,
                "monitoredHouseholds": 3,
                "mainIndustries": "苹果、花椒",
                "resources": "",
                "introduction": "",
                "contactName": "王支书",
                "contactPhone": "13900000001",
            }
        },
        VILLAGE,
    ),
    WritePath(
        "addVillageNeed",
        _step("addVillageNeed", "AddVillageNeedInput", "need"),
        lambda w, a: {
            "i": {
                "villageId": gid("Village", w.world.village_id),
                "kind": "SALES",
                "description": "苹果滞销，需要帮销 5 万斤",
            }
        },
        VILLAGE,
    ),
    WritePath(
        "updateVillageNeed",
        _step("updateVillageNeed", "UpdateVillageNeedInput", "need"),
        lambda w, a: {
            "i": {
                "needId": gid("VillageNeed", w.world.need_id),
                "expectedVersion": 1,
                "kind": "EMPLOYMENT",
                "description": "采摘季用工 20 人",
                "headcount": 20,
            }
        },
        VILLAGE,
    ),
    WritePath(
        "setVillageNeedStatus",
        _step("setVillageNeedStatus", "SetVillageNeedStatusInput", "need"),
        lambda w, a: {
            "i": {
                "needId": gid("VillageNeed", w.world.need_id),
                "expectedVersion": 1,
                "status": "MET",
            }
        },
        VILLAGE,
    ),
    _agreement_step("signAgreement", "AgreementStepInput", "proposal_id", VILLAGE),
    _agreement_step(
        "declineAgreement", "AgreementReasonInput", "proposal_id", VILLAGE, reason="本村已有结对"
    ),
    _agreement_step(
        "withdrawAgreement", "AgreementReasonInput", "proposal_id", frozenset({"enterprise_a"})
    ),
    _agreement_step("fileAgreement", "AgreementStepInput", "signed_id", COUNTY_BUREAUS),
    _agreement_step("completeAgreement", "AgreementStepInput", "ended_id", COUNTY_BUREAUS),
    WritePath(
        "waiveReport",
        "mutation($i: WaiveReportInput!) { waiveReport(input: $i) "
        "{ waiver { period } errors { code } } }",
        lambda w, a: {
            "i": {
                "agreementId": gid("PairingAgreement", w.world.active_id),
                "period": "2027Q4",
                "reason": "企业停产整顿",
            }
        },
        COUNTY_BUREAUS,
    ),
    _agreement_step(
        "returnAgreement", "AgreementReasonInput", "signed_id", COUNTY_BUREAUS, reason="缺少签字页"
    ),
    _agreement_step(
        "resubmitAgreement", "AgreementStepInput", "returned_id", frozenset({"enterprise_b"})
    ),
    _agreement_step(
        "acceptAgreementDraft", "AgreementStepInput", "draft_id", frozenset({"enterprise_b"})
    ),
    _agreement_step(
        "refuseAgreementDraft", "AgreementReasonInput", "draft_id", frozenset({"enterprise_b"})
    ),
    _agreement_step(
        "terminateAgreement",
        "AgreementReasonInput",
        "active_id",
        COUNTY_BUREAUS | {"enterprise_b", "village"},
        reason="企业搬迁",
    ),
    WritePath(
        "submitReport",
        _step("submitReport", "SubmitReportInput", "report"),
        lambda w, a: {
            "i": REPORT
            | {"agreementId": gid("PairingAgreement", w.world.active_id), "period": "2026Q4"}
        },
        frozenset({"enterprise_b"}),
    ),
    _report_step(
        "resubmitReport",
        "ResubmitReportInput",
        "returned_report_id",
        frozenset({"enterprise_b"}),
        **REPORT,
    ),
    _report_step(
        "correctReport",
        "CorrectReportInput",
        "verified_report_id",
        frozenset({"enterprise_b"}),
        reason="采购金额按发票更正",
        **REPORT,
    ),
    _report_step("confirmReport", "ReportStepInput", "submitted_report_id", VILLAGE),
    _report_step(
        "returnReport", "ReturnReportInput", "submitted_report_id", VILLAGE, comment="金额不符"
    ),
    _report_step(
        "returnReport", "ReturnReportInput", "confirmed_report_id", COUNTY_BUREAUS, comment="缺凭证"
    ),
    _report_step("verifyReport", "ReportStepInput", "confirmed_report_id", COUNTY_BUREAUS),
    WritePath(
        "acceptCoveragePlan",
        "mutation($i: AcceptCoveragePlanInput!) { acceptCoveragePlan(input: $i) "
        "{ agreements { id } errors { code } } }",
        lambda w, a: {
            "i": {
                "lines": [
                    {
                        "villageId": gid("Village", w.world.spare_village_id),
                        "enterpriseId": gid("Enterprise", w.world.enterprise_b),
                    }
                ]
            }
        },
        COUNTY_BUREAUS,
    ),
]

assert all(set(p.allowed) <= set(ACTORS) for p in READ_PATHS + WRITE_PATHS)
