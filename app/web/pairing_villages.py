"""Village pages: the public list and profiles, and the village's own profile and needs list."""

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError
from app.http import current_actor
from app.labels import COUNTY_CATEGORY, HELP_KIND, NEED_STATUS
from app.money import fen_to_yuan
from app.services import villages
from app.services.pairing import directory, profiles
from app.services.pairing.directory import VillageFilters
from app.services.pairing.listing import page_number
from app.web.forms import in_unit_of_work, read_form
from app.web.pages import form_version, gate, is_stale, load, page_url, unless_fixable
from app.web.pairing_common import done, page, save

PROFILE_FIELDS = (
    "population",
    "households",
    "lifted_households",
    "monitored_households",
    "main_industries",
    "resources",
    "introduction",
    "contact_name",
    "contact_phone",
)
NEED_FIELDS = ("kind", "description", "amount", "headcount")


async def village_list(request: Request) -> Response:
    actor = current_actor(request)
    filters = VillageFilters.from_mapping(request.query_params)
    number = page_number(request.query_params.get("page"))

    def work(session):
        return (
            directory.list_villages(session=session, actor=actor, filters=filters, page=number),
            directory.county_overview(session=session),
        )

    results, overview = await load(request, work)
    context = {
        "page": results,
        "overview": overview,
        "filters": filters,
        "counties": [(c.code, c.name) for c in overview],
        "categories": list(COUNTY_CATEGORY.items()),
        "help_kinds": list(HELP_KIND.items()),
        "page_url": lambda n: page_url(request, n),
        "can_propose": actor.role == Role.enterprise and actor.enterprise_id is not None,
    }
    return page(request, "pairing/villages.html", context, partial="pairing/_village_results.html")


async def village_detail(request: Request) -> Response:
    actor = current_actor(request)
    village_id = request.path_params["village_id"]
    profile = await load(
        request,
        lambda s: profiles.village_profile(session=s, actor=actor, village_id=village_id),
    )
    context = {
        "profile": profile,
        "can_propose": actor.role == Role.enterprise and actor.enterprise_id is not None,
        "can_recommend": profile.can_edit
        or (actor.role == Role.bureau and profile.show_private)
        or actor.role == Role.admin,
    }
    return page(request, "pairing/village.html", context)


# The village's own pages -----------------------------------------------------------------------


def _own_village(request: Request):
    actor = gate(request, Role.village)
    if isinstance(actor, Response):
        return actor, None
    if actor.village_id is None:
        # Signed up but not yet approved: nothing of the village to keep yet.
        return actor, 0
    return actor, actor.village_id


async def my_village(request: Request) -> Response:
    actor, village_id = _own_village(request)
    if isinstance(actor, Response):
        return actor
    if not village_id:
        return page(request, "pairing/not_approved.html", {})
    if request.method == "GET":
        return await _profile_form(request, actor, village_id, None, {})
    data = await read_form(request)
    values = {k: data.get(k, "") for k in PROFILE_FIELDS}
    version = form_version(data)
    saved = await save(
        request,
        lambda s: villages.update_village_profile(
            session=s, actor=actor, village_id=village_id, expected_version=version, data=values
        ),
        lambda errors, status: _profile_form(
            request, actor, village_id, values, errors, status, version
        ),
    )
    if isinstance(saved, Response):
        return saved
    return done(request, "/village", "本村概况已保存")


async def _profile_form(request, actor, village_id, values, errors, status_code=200, version=None):
    def work(session):
        profile = profiles.village_profile(session=session, actor=actor, village_id=village_id)
        contact = villages.own_contact(session=session, actor=actor, village_id=village_id)
        return profile, contact

    profile, (contact_name, contact_phone) = await load(request, work)
    own = {"contact_name": contact_name, "contact_phone": contact_phone}
    if values is None:
        values = {name: own.get(name, getattr(profile, name, "")) for name in PROFILE_FIELDS}
    stale = status_code == 409
    context = {
        "profile": profile,
        "values": values,
        "errors": errors,
        # A form sent back keeps the version it was opened at (a stale one stays a conflict).
        "version": version if version is not None else profile.version,
        "saved": _saved_profile(profile, own) if stale else None,
    }
    return page(request, "pairing/my_village.html", context, status_code=status_code)


def _saved_profile(profile, own: dict[str, str]) -> list[tuple[str, str]]:
    """What is saved now, for the village's own staff (their contact in full, as they edit it)."""
    titles = villages.VillageProfileUpdate.model_fields
    return [
        (titles[name].title, str(own.get(name, getattr(profile, name, ""))))
        for name in PROFILE_FIELDS
    ]


async def needs(request: Request) -> Response:
    actor, village_id = _own_village(request)
    if isinstance(actor, Response):
        return actor
    if not village_id:
        return page(request, "pairing/not_approved.html", {})
    if request.method == "GET":
        return await _needs_page(request, actor, village_id, {}, {})
    data = await read_form(request)
    values = {k: data.get(k, "") for k in NEED_FIELDS}
    saved = await save(
        request,
        lambda s: villages.add_need(session=s, actor=actor, village_id=village_id, data=values),
        lambda errors, _status: _needs_page(request, actor, village_id, values, errors, 422),
    )
    if isinstance(saved, Response):
        return saved
    return done(request, "/needs", "需求已添加，企业浏览帮扶村时即可看到")


async def _needs_page(
    request, actor, village_id, values, errors, status_code=200, status_error=None
):
    profile = await load(
        request,
        lambda s: profiles.village_profile(session=s, actor=actor, village_id=village_id),
    )
    context = {
        "profile": profile,
        "values": values,
        "errors": errors,
        "help_kinds": list(HELP_KIND.items()),
        "need_statuses": NEED_STATUS,
        "status_error": status_error,
    }
    return page(request, "pairing/needs.html", context, status_code=status_code)


async def edit_need(request: Request) -> Response:
    actor, village_id = _own_village(request)
    if isinstance(actor, Response):
        return actor
    need_id = request.path_params["need_id"]
    if request.method == "GET":
        return await _need_form(request, actor, village_id, need_id, None, {})
    data = await read_form(request)
    values = {k: data.get(k, "") for k in NEED_FIELDS}
    version = form_version(data)
    saved = await save(
        request,
        lambda s: villages.update_need(
            session=s, actor=actor, need_id=need_id, expected_version=version, data=values
        ),
        lambda errors, status: _need_form(
            request, actor, village_id, need_id, values, errors, status, version
        ),
    )
    if isinstance(saved, Response):
        return saved
    return done(request, "/needs", "需求已修改")


async def _need_form(
    request, actor, village_id, need_id, values, errors, status_code=200, version=None
):
    profile = await load(
        request,
        lambda s: profiles.village_profile(session=s, actor=actor, village_id=village_id or 0),
    )
    need = next((n for n in profile.needs if n.id == need_id), None)
    if need is None or not profile.can_edit:
        raise HTTPException(404)
    if values is None:
        values = {
            "kind": need.kind.value,
            "description": need.description,
            "amount": fen_to_yuan(need.amount_fen) if need.amount_fen is not None else "",
            "headcount": need.headcount if need.headcount is not None else "",
        }
    stale = status_code == 409
    context = {
        "need": need,
        "values": values,
        "errors": errors,
        "help_kinds": list(HELP_KIND.items()),
        "version": version if version is not None else need.version,
        "saved": _saved_need(need) if stale else None,
    }
    return page(request, "pairing/need_edit.html", context, status_code=status_code)


def _saved_need(need) -> list[tuple[str, str]]:
    amount = fen_to_yuan(need.amount_fen) + " 元" if need.amount_fen is not None else "—"
    headcount = str(need.headcount) if need.headcount is not None else "—"
    return [
        ("帮扶方式", HELP_KIND[need.kind]),
        ("需求内容", need.description),
        ("所需金额", amount),
        ("所需人数", headcount),
        ("状态", NEED_STATUS[need.status]),
    ]


async def need_status(request: Request) -> Response:
    actor, village_id = _own_village(request)
    if isinstance(actor, Response):
        return actor
    need_id = request.path_params["need_id"]
    data = await read_form(request)
    status = data.get("status", "")
    try:
        await in_unit_of_work(
            request,
            lambda s: villages.set_need_status(
                session=s,
                actor=actor,
                need_id=need_id,
                expected_version=form_version(data),
                status=status,
            ),
        )
    except DomainError as exc:
        unless_fixable(exc)
        if is_stale(exc):
            # The list shows what is saved now; the stale button is not taken again by itself.
            return await _needs_page(
                request, actor, village_id, {}, {}, 409, status_error=exc.message
            )
        return done(request, "/needs", exc.message, level="error")
    return done(request, "/needs", f"需求已改为“{NEED_STATUS.get(status, status)}”")
