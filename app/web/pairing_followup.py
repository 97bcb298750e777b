"""Missing quarterly reports on the pages: reminders (催报) from an agreement's page or the review
queue (selected agreements, or every overdue one of the region), and waivers (免报)."""

from starlette.requests import Request
from starlette.responses import Response

from app.actors import Role
from app.errors import DomainError
from app.services.pairing import followup
from app.web.forms import in_unit_of_work, read_form
from app.web.pages import gate, int_or_none, take_step, unless_fixable
from app.web.pairing_agreements import show_detail
from app.web.pairing_common import done


async def remind(request: Request) -> Response:
    """催报 every overdue quarter of one agreement (the button on its page)."""
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    agreement_id = request.path_params["agreement_id"]
    await read_form(request)
    return await take_step(
        request,
        lambda s: followup.remind_reports(session=s, actor=actor, agreement_id=agreement_id),
        url=f"/agreements/{agreement_id}",
        message="已催报，帮扶主体会收到消息",
        leave=done,
        show=lambda **shown: show_detail(request, actor, agreement_id, **shown),
    )


async def waive(request: Request) -> Response:
    """免报 one quarter of an agreement, with the reason."""
    actor = gate(request)
    if isinstance(actor, Response):
        return actor
    agreement_id = request.path_params["agreement_id"]
    data = await read_form(request)
    return await take_step(
        request,
        lambda s: followup.waive_report(
            session=s,
            actor=actor,
            agreement_id=agreement_id,
            period=data.get("period", ""),
            reason=data.get("reason", ""),
        ),
        url=f"/agreements/{agreement_id}",
        message="已免报该季度",
        leave=done,
        show=lambda **shown: show_detail(request, actor, agreement_id, **shown),
        slots={"reason": "waive_reason", "period": "waive_period"},
        redirect_conflicts=False,
    )


async def remind_selected(request: Request) -> Response:
    """The review queue's bulk reminder: the ticked agreements, or (scope=all) every overdue
    agreement of the officer's region."""
    actor = gate(request, Role.bureau)
    if isinstance(actor, Response):
        return actor
    data = await read_form(request, lists=("agreement_ids",))
    ids = None
    if data.get("scope") != "all":
        ids = [i for i in (int_or_none(v) for v in data.get("agreement_ids", [])) if i]

    def work(session):
        reminders = followup.remind_overdue(session=session, actor=actor, agreement_ids=ids)
        return len({r.agreement_id for r in reminders})

    try:
        count = await in_unit_of_work(request, work)
    except DomainError as exc:
        unless_fixable(exc)
        return done(request, "/review", exc.message, level="error")
    if not count:
        return done(request, "/review", "没有需要催报的逾期协议", level="info")
    return done(request, "/review", f"已向 {count} 份协议的帮扶主体催报")
