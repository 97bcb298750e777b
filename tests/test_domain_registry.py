"""The domain registry (app/domains.py): every layer finds every domain's part, or stops loudly."""

import sys
import types

import pytest
from starlette.routing import Route

from app.actors import Actor, Role
from app.domains import DOMAINS, MissingDomainPart, Part
from app.schema import schema
from app.services import domains as service_domains
from app.services import inbox, ledger, state_machine, stats
from app.web.routing import ROUTES_PART, domain_routes
from tests.authz.visibility_world import VISIBILITY_PART
from tests.test_authorization_matrix import ACTIONS, MATRIX_PART

LAYERS = [
    service_domains.SERVICE_PART,
    schema.SCHEMA_PART,
    ROUTES_PART,
    MATRIX_PART,
    VISIBILITY_PART,
]


@pytest.fixture
def fake_module():
    """Install modules under ``tests.fake_domain_parts`` for one test."""
    installed = []

    def install(name: str, **names) -> None:
        module = types.ModuleType(name)
        module.__dict__.update(names)
        # find_spec needs a spec: modules imported by hand have none.
        module.__spec__ = types.SimpleNamespace(name=name)
        sys.modules[name] = module
        installed.append(name)

    yield install
    for name in installed:
        del sys.modules[name]


def test_the_domains_are_listed_once():
    assert len(set(DOMAINS)) == len(DOMAINS)
    assert all(domain.isidentifier() for domain in DOMAINS)


@pytest.mark.parametrize("part", LAYERS, ids=lambda p: p.module)
def test_every_layer_has_every_domains_part(part):
    modules = part.modules()
    assert [m.__name__ for m in modules] == [part.module_name(d) for d in DOMAINS]


def test_a_domain_without_its_module_stops_start_up():
    part = Part("tests.fake_domain_parts.{domain}_routes", ("ROUTES",))
    with pytest.raises(
        MissingDomainPart, match=r"has no module tests\.fake_domain_parts\.jobs_routes"
    ):
        part.gather("ROUTES", ("jobs",))


def test_a_domain_module_without_an_expected_name_stops_start_up(fake_module):
    fake_module("tests.fake_domain_parts_jobs", QUERIES=())
    part = Part("tests.fake_domain_parts_{domain}", ("QUERIES", "MUTATIONS"))
    with pytest.raises(MissingDomainPart, match="must define MUTATIONS as a tuple or list"):
        part.gather("QUERIES", ("jobs",))


def test_none_is_not_a_declaration(fake_module):
    """``ROUTES = None`` might be a forgotten list; "no pages" is written ``ROUTES = ()``."""
    fake_module("tests.fake_domain_parts_quiet", ROUTES=None)
    part = Part("tests.fake_domain_parts_{domain}", ("ROUTES",))
    with pytest.raises(MissingDomainPart):
        part.gather("ROUTES", ("quiet",))


def test_parts_are_gathered_in_the_order_of_the_domains(fake_module):
    fake_module("tests.fake_domain_parts_first", ROUTES=("a", "b"))
    fake_module("tests.fake_domain_parts_second", ROUTES=())
    fake_module("tests.fake_domain_parts_third", ROUTES=["c"])
    part = Part("tests.fake_domain_parts_{domain}", ("ROUTES",))
    assert part.gather("ROUTES", ("first", "second", "third")) == ("a", "b", "c")
    assert part.gather("ROUTES", ("third", "first")) == ("c", "a", "b")
    with pytest.raises(ValueError):
        part.gather("QUERIES", ("first",))


def _first_segment(route: Route) -> str:
    segment = route.path.split("/")[1]
    assert segment and "{" not in segment, f"{route.path} starts with a parameter"
    return segment


def test_no_two_domains_share_a_first_path_segment():
    """Starlette takes the first route that matches: with disjoint prefixes the order of the
    domains cannot change which page answers, only the order within a domain's own routes can."""
    owner: dict[str, str] = {}
    for domain, module in zip(DOMAINS, ROUTES_PART.modules(), strict=True):
        for route in module.ROUTES:
            segment = _first_segment(route)
            assert owner.setdefault(segment, domain) == domain, (
                f"/{segment} belongs to both {owner[segment]} and {domain}"
            )
    assert len(domain_routes()) == sum(len(m.ROUTES) for m in ROUTES_PART.modules())


def test_the_schema_merges_every_domains_fields_in_domain_order():
    gathered = schema.SCHEMA_PART.gather("QUERIES")
    assert schema.QUERIES[1:] == gathered
    fields = list(schema.Query.__strawberry_definition__.fields)
    assert fields[0].python_name == "node"


def test_central_modules_read_the_registry():
    kinds = service_domains.inbox_kinds()
    assert [k.key for k in kinds][:1] == ["registrations"]  # accounts comes first
    assert {k.key for k in kinds} >= {"proposals_to_sign", "orders_to_ship", "objections"}
    assert ledger.sections() == service_domains.ledger_sections()
    assert list(stats.panels()) == [p.name for p in service_domains.dashboard_panels()]
    bureau = Actor(role=Role.bureau, user_id=1, name="市局", region_code="140800")
    assert [k.key for k in inbox.kinds_for(bureau)] == [
        "registrations",
        "filings",
        "reports_to_verify",
        "certifications",
        "objections",
    ]
    declared = service_domains.state_machines()
    assert {m.name for m in state_machine.machines()} == {m.name for m in declared}
    assert {m.name for m in declared} >= {"agreement", "report", "order", "certification"}
    assert state_machine.machine("order") in declared


def test_every_matrix_action_has_a_unique_name():
    names = [action.name for action in ACTIONS]
    assert len(names) == len(set(names))
