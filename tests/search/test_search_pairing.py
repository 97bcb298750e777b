"""Village and enterprise search for the pairing pages."""

import pytest
from markupsafe import Markup

from app.models.enums import AgreementStatus, EnterpriseKind, HelpKind, RegistrationStatus
from app.models.flags import to_mask
from app.search.pairing import PairingQuery
from tests.factories import make_agreement
from tests.pairing_factories import make_need
from tests.search_factories import approved_enterprise, index_from_session, village_in


@pytest.fixture
def directory(session, index_dir):
    """Villages and enterprises in three counties, indexed; returns (service, objects)."""
    objects = {
        "pepper": village_in(
            session, "140829", name="张店村", key_village=True,
            main_industries="花椒、苹果", introduction="张店村位于中条山南麓，花椒种植三千亩。",
        ),
        "apple": village_in(
            session, "140822", name="西王村", main_industries="苹果",
            introduction="<b>西王村</b>以苹果为主导产业。",
        ),
        "paired": village_in(session, "140829", name="后坡村", key_village=True),
        "fruit_co": approved_enterprise(
            session, name="运城果业集团有限公司", kind=EnterpriseKind.state_owned,
            offers=to_mask([HelpKind.sales, HelpKind.industry], HelpKind),
            introduction="收购花椒、苹果，开展结对帮销。",
        ),
        "school": approved_enterprise(
            session, name="运城职业技术学院", kind=EnterpriseKind.school, county_code=None,
            external_region="太原市", offers=to_mask([HelpKind.talent], HelpKind),
        ),
        "pending": approved_enterprise(
            session, name="待审核花椒贸易公司", status=RegistrationStatus.pending
        ),
    }  # fmt: skip
    make_need(session, objects["pepper"], kind="sales", description="花椒滞销")
    make_agreement(
        session, village=objects["paired"], enterprise=objects["school"],
        status=AgreementStatus.active,
    )  # fmt: skip
    return index_from_session(session, index_dir), objects


def found(service, session, **query) -> list[tuple[str, str]]:
    results = service.search_pairing(session, PairingQuery(**query))
    return sorted((h.kind, h.obj.name) for h in results.hits)


def test_text_finds_villages_by_industry_and_enterprises_by_introduction(directory, session):
    service, _objects = directory
    assert found(service, session, text="花椒") == [
        ("enterprise", "运城果业集团有限公司"),
        ("village", "张店村"),
    ]
    assert found(service, session, text="苹果", kinds=("village",)) == [
        ("village", "张店村"),
        ("village", "西王村"),
    ]


def test_unapproved_enterprises_never_appear(directory, session):
    service, _objects = directory
    assert ("enterprise", "待审核花椒贸易公司") not in found(service, session, text="贸易")
    assert found(service, session, text="待审核") == []


def test_enterprises_find_unpaired_key_villages(directory, session):
    service, _objects = directory
    assert found(service, session, key_village=True) == [
        ("village", "后坡村"),
        ("village", "张店村"),
    ]
    assert found(service, session, key_village=True, has_partner=False) == [("village", "张店村")]
    assert found(service, session, has_partner=True) == [("village", "后坡村")]


def test_help_kinds_match_village_needs_and_enterprise_offers(directory, session):
    service, _objects = directory
    assert found(service, session, help_kinds=("sales",)) == [
        ("enterprise", "运城果业集团有限公司"),
        ("village", "张店村"),
    ]
    assert found(service, session, county_codes=("external",)) == [
        ("enterprise", "运城职业技术学院")
    ]


def test_facets_count_kinds_counties_and_help(directory, session):
    service, _objects = directory
    results = service.search_pairing(session, PairingQuery(text="苹果"))
    assert results.facet_counts("kind") == {"village": 2, "enterprise": 1}
    assert results.facet_counts("county") == {"140822": 1, "140829": 2}
    assert results.facet_counts("help") == {"industry": 1, "sales": 2}
    labels = {v.value: v.label for v in results.facets["help"]}
    assert labels == {"industry": "产业合作", "sales": "结对帮销"}


def test_pairing_highlights_are_escaped(directory, session):
    service, objects = directory
    results = service.search_pairing(session, PairingQuery(text="西王"))
    [hit] = results.hits
    assert hit.object_id == objects["apple"].id
    assert hit.name == Markup("<mark>西王</mark>村")
    assert hit.snippet == Markup("苹果。&lt;b&gt;<mark>西王</mark>村&lt;/b&gt;以苹果为主导产业。")


def test_pairing_suggestion(directory, session):
    service, _objects = directory
    results = service.search_pairing(session, PairingQuery(text="花叫"))
    assert results.total == 0 and results.suggestion == "花椒"
