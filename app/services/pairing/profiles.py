"""Public profiles of villages and enterprises, with their partners.

A village's monitored households (防返贫监测户) are filled in only for the roles app.permissions
allows, and contacts only as app.services.contacts hands them out (masked, for parties with a
purpose), so no adapter can show what it should not.
"""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor
from app.errors import NotFoundError
from app.models import County, Enterprise, PairingAgreement, Township, Village, VillageNeed
from app.models.enums import (
    AgreementStatus,
    CountyCategory,
    EnterpriseKind,
    HelpKind,
    NeedStatus,
    RegistrationStatus,
)
from app.models.flags import from_mask
from app.permissions import (
    Party,
    can_edit_village_profile,
    can_see_agreement,
    can_see_enterprise,
    can_see_private_village_data,
    require,
)
from app.services.contacts import Contact, contact_for
from app.services.pairing.facts import open_agreements_subquery
from app.services.pairing.periods import local_today

PA = PairingAgreement


@dataclass(frozen=True, slots=True)
class PartnerRow:
    """One pairing as a profile lists it; ``agreement_id`` only for those who may open it."""

    agreement_id: int | None
    status: AgreementStatus
    village_id: int
    village_name: str
    enterprise_id: int
    enterprise_name: str
    county_name: str
    start_on: date
    end_on: date


@dataclass(frozen=True, slots=True)
class VillageProfile:
    id: int
    code: str
    name: str
    county_code: str
    county_name: str
    county_category: CountyCategory
    township_name: str
    key_village: bool
    lifted_village: bool
    relocation_site: bool
    pv_station: bool
    tourism_demo: bool
    population: int
    households: int
    lifted_households: int
    main_industries: str
    resources: str
    introduction: str
    needs: list[VillageNeed]
    partners: list[PartnerRow]
    show_private: bool
    can_edit: bool
    # Private: None unless show_private.
    monitored_households: int | None
    # None unless the actor may see it (app.permissions.can_see_contact); the phone is masked.
    contact: Contact | None
    # The village row's version: the profile form sends it back (decision 0015).
    version: int = 1

    @property
    def flags(self) -> list[str]:
        names = ("key_village", "lifted_village", "relocation_site", "pv_station", "tourism_demo")
        return [name for name in names if getattr(self, name)]


# Open needs first, then met, then withdrawn.
_NEED_ORDER = sa.case(
    {NeedStatus.open.value: 0, NeedStatus.met.value: 1}, value=VillageNeed.status, else_=2
)
# Statuses listed as a village's or an enterprise's partners on a profile.
PARTNER_STATUSES = (AgreementStatus.signed, AgreementStatus.active, AgreementStatus.completed)


def village_profile(*, session: Session, actor: Actor, village_id: int) -> VillageProfile:
    """A village's profile, needs and partners; contacts only for the roles allowed."""
    row = session.execute(
        sa.select(Village, County.name, County.category, Township.name)
        .join(County, County.code == Village.county_code)
        .join(Township, Township.code == Village.township_code)
        .where(Village.id == village_id)
    ).first()
    if row is None:
        raise NotFoundError("村不存在")
    village, county_name, category, township_name = row
    private = can_see_private_village_data(actor, village.id, village.county_code)
    can_edit = can_edit_village_profile(actor, village.id)
    shown = (
        (NeedStatus.open, NeedStatus.met, NeedStatus.withdrawn)
        if can_edit
        else (NeedStatus.open, NeedStatus.met)
    )
    needs = session.exec(
        select(VillageNeed)
        .where(VillageNeed.village_id == village.id, VillageNeed.status.in_(shown))
        .order_by(_NEED_ORDER, VillageNeed.id)
    ).all()
    return VillageProfile(
        id=village.id,
        code=village.code,
        name=village.name,
        county_code=village.county_code,
        county_name=county_name,
        county_category=CountyCategory(category),
        township_name=township_name,
        key_village=village.key_village,
        lifted_village=village.lifted_village,
        relocation_site=village.relocation_site,
        pv_station=village.pv_station,
        tourism_demo=village.tourism_demo,
        population=village.population,
        households=village.households,
        lifted_households=village.lifted_households,
        main_industries=village.main_industries,
        resources=village.resources,
        introduction=village.introduction,
        needs=list(needs),
        partners=_partners(session, actor, PA.village_id == village.id),
        show_private=private,
        can_edit=can_edit,
        monitored_households=village.monitored_households if private else None,
        contact=contact_for(
            session=session, actor=actor, party=Party.village, organisation=village
        ),
        version=village.version,
    )


def _partners(session: Session, actor: Actor, condition) -> list[PartnerRow]:
    rows = session.execute(
        sa.select(PA, Village.name, Village.county_code, Enterprise.name, County.name)
        .join(Village, Village.id == PA.village_id)
        .join(County, County.code == Village.county_code)
        .join(Enterprise, Enterprise.id == PA.enterprise_id)
        .where(condition, PA.status.in_(PARTNER_STATUSES))
        .order_by(PA.start_on.desc(), PA.id.desc())
    ).all()
    partners = []
    for agreement, village_name, county_code, enterprise_name, county_name in rows:
        visible = can_see_agreement(
            actor, agreement.enterprise_id, agreement.village_id, county_code
        )
        partners.append(
            PartnerRow(
                agreement_id=agreement.id if visible else None,
                status=agreement.status,
                village_id=agreement.village_id,
                village_name=village_name,
                enterprise_id=agreement.enterprise_id,
                enterprise_name=enterprise_name,
                county_name=county_name,
                start_on=agreement.start_on,
                end_on=agreement.end_on,
            )
        )
    return partners


@dataclass(frozen=True, slots=True)
class EnterpriseProfile:
    id: int
    name: str
    kind: EnterpriseKind
    industry: str
    region_name: str
    county_code: str | None
    offers: list[HelpKind]
    introduction: str
    max_villages: int
    open_agreements: int
    status: RegistrationStatus
    partners: list[PartnerRow]
    contact: Contact | None

    @property
    def spare(self) -> int:
        return max(0, self.max_villages - self.open_agreements)


def enterprise_profile(
    *, session: Session, actor: Actor, enterprise_id: int, today: date | None = None
) -> EnterpriseProfile:
    """An enterprise's public profile and partners; its contact for parties with a purpose."""
    agreements = open_agreements_subquery(today or local_today())
    row = session.execute(
        sa.select(Enterprise, County.name, sa.func.coalesce(agreements.c.open_count, 0))
        .outerjoin(County, County.code == Enterprise.county_code)
        .outerjoin(agreements, agreements.c.enterprise_id == Enterprise.id)
        .where(Enterprise.id == enterprise_id)
    ).first()
    if row is None:
        raise NotFoundError("帮扶主体不存在")
    enterprise, county_name, open_count = row
    approved = enterprise.status == RegistrationStatus.approved
    require(can_see_enterprise(actor, enterprise.id, enterprise.county_code, approved=approved))
    return EnterpriseProfile(
        id=enterprise.id,
        name=enterprise.name,
        kind=enterprise.kind,
        industry=enterprise.industry,
        region_name=county_name or enterprise.external_region,
        county_code=enterprise.county_code,
        offers=from_mask(enterprise.offers, HelpKind),
        introduction=enterprise.introduction,
        max_villages=enterprise.max_villages,
        open_agreements=open_count,
        status=enterprise.status,
        partners=_partners(session, actor, PA.enterprise_id == enterprise.id),
        contact=contact_for(
            session=session, actor=actor, party=Party.enterprise, organisation=enterprise
        ),
    )
