"""Who hears of the 劳务协作 domain's actions. Publishing supply and postings is news to nobody in
particular (the lists and the matching show them); an application is news to the other side."""

from sqlmodel import Session

from app.models.enums import RecipientKind as K
from app.models.labour import LabourApplication
from app.services.notice_rules import NOBODY, Notices, Parties, notice

ACTIONS = {
    "labour_supply.publish": NOBODY,
    "labour_supply.update": NOBODY,
    "labour_supply.withdraw": NOBODY,
    "job_posting.publish": NOBODY,
    "job_posting.update": NOBODY,
    "job_posting.close": NOBODY,
    "labour_application.apply": notice("收到劳务报名", K.enterprise, K.cooperative),
    "labour_application.invite": notice("劳务报名：企业安排面试", K.village),
    "labour_application.hire": notice("劳务报名：已录用", K.village),
    "labour_application.decline": notice("劳务报名：未录用", K.village),
    "labour_application.withdraw": notice("劳务报名已撤回", K.enterprise, K.cooperative),
    "labour_application.confirm_retained": notice(
        "村里确认了三个月在岗人数", K.enterprise, K.cooperative
    ),
    "labour_application.confirm_stable": notice(
        "村里确认了六个月稳定就业人数", K.enterprise, K.cooperative
    ),
}


def _application(session: Session, application: LabourApplication) -> Parties:
    ids = {
        K.village: application.village_id,
        K.enterprise: application.enterprise_id,
        K.cooperative: application.cooperative_id,
    }
    return Parties(
        {kind: value for kind, value in ids.items() if value is not None},
        f"/labour/applications/{application.id}",
    )


NOTICES = Notices(ACTIONS, {LabourApplication: _application})
