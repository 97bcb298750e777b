"""DataLoaders, built per request (a module-level loader would cache across users forever).

``<Model>By<Key>Loader`` loads rows by key, one statement per batch; ``<Children>By<Parent>Loader``
loads one page of children for every parent in a batch with one windowed statement. Row loaders
do not check permissions (the types check each row they expose), except ``Visible…`` ones, which
apply the predicate in the batch; page loaders run scoped queries.
"""

from abc import ABC, abstractmethod
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import TYPE_CHECKING, Any, ClassVar

import sqlalchemy as sa
from sqlmodel import Session
from strawberry.dataloader import DataLoader

from app.actors import Actor
from app.errors import PermissionDeniedError
from app.models import (
    ApiToken,
    CertificationApplication,
    PairingAgreement,
    Product,
    ProductImage,
    ReportEvidence,
    User,
    VillageNeed,
)
from app.permissions import COOPERATIVES, ENTERPRISES
from app.schema.pagination import Connection
from app.services import certification, clock, pricing, product_images
from app.services.queries import organisations, pairing, regions, trade
from app.services.queries.batches import EMPTY, Slice, by_keys, pages_by_parent, windowed

if TYPE_CHECKING:
    from app.schema.context import Context
    from app.schema.pagination import PageRequest


class RowLoader(DataLoader):
    """Rows by key; a missing row loads as None."""

    rows: ClassVar[Callable[[Session, list], dict]]

    def __init__(self, context: "Context"):
        super().__init__(load_fn=self._load)
        self.context = context

    async def _load(self, keys: list) -> list:
        found = await self.context.read(lambda session: self.fetch(session, keys))
        return [found.get(key) for key in keys]

    def fetch(self, session: Session, keys: list) -> dict:
        return type(self).rows(session, keys)


@dataclass(frozen=True, slots=True)
class PageArgs:
    """Everything but the parent that decides a page of children: batched together when equal.

    ``include`` names fields of the children the query selects that the loader fetches in the
    same batch (see ``PageLoader.prefetch``).
    """

    request: "PageRequest"
    filters: Hashable = None
    order: Hashable = None
    include: frozenset[str] = frozenset()


def ready(loader: DataLoader, key: Hashable):
    """The loaded value when the loader already holds it (no waiting), else the pending load."""
    future = loader.cache_map.get(key)
    done = future is not None and future.done() and not future.cancelled()
    if done and future.exception() is None:
        return future.result()
    return loader.load(key)


@lru_cache(maxsize=512)
def _windowed(loader: type["PageLoader"], actor: Actor, filters: Hashable, order: Hashable, _day):
    """Built once per loader, reader, filters and day (a query may compare with today's date;
    see ``batches.windowed``)."""
    query, order_by = loader.select(actor, PageArgs(request=None, filters=filters, order=order))
    return windowed(query, parent=loader.parent, order_by=order_by)


class PageLoader(DataLoader, ABC):
    """One page of children per (parent key, PageArgs) as a Connection, one statement per
    distinct PageArgs."""

    parent: ClassVar[Any]

    def __init__(self, context: "Context"):
        super().__init__(load_fn=self._load)
        self.context = context

    @classmethod
    @abstractmethod
    def select(cls, actor: Actor, args: PageArgs) -> tuple[sa.Select, Sequence]:
        """The scoped query (without order) and the order within each parent."""

    def prefetch(self, session: Session, rows: list, include: frozenset[str]) -> None:
        """Load what the query selects on the children, for all of them at once."""

    async def _load(self, keys: list[tuple[Hashable, PageArgs]]) -> list[Connection]:
        groups: dict[PageArgs, list[Hashable]] = {}
        for parent, args in keys:
            groups.setdefault(args, []).append(parent)

        def fetch(session: Session) -> dict[PageArgs, dict[Hashable, Slice]]:
            found = {}
            for args, parents in groups.items():
                statement = _windowed(
                    type(self), self.context.actor, args.filters, args.order, clock.today()
                )
                found[args] = pages_by_parent(
                    session,
                    statement,
                    parents=parents,
                    limit=args.request.limit,
                    offset=args.request.offset,
                )
                if args.include:
                    rows = [row for page in found[args].values() for row in page.rows]
                    self.prefetch(session, rows, args.include)
            return found

        found = await self.context.read(fetch)
        return [
            Connection(slice=found[args].get(parent, EMPTY), offset=args.request.offset)
            for parent, args in keys
        ]


# Rows by key ----------------------------------------------------------------------------------


class CountyByCodeLoader(RowLoader):
    rows = staticmethod(regions.counties_by_code)


class TownshipByCodeLoader(RowLoader):
    rows = staticmethod(regions.townships_by_code)


class VillageByIdLoader(RowLoader):
    rows = staticmethod(regions.villages_by_id)


class VillageNeedByIdLoader(RowLoader):
    rows = staticmethod(regions.needs_by_id)


class EnterpriseByIdLoader(RowLoader):
    rows = staticmethod(organisations.enterprises_by_id)


class CooperativeByIdLoader(RowLoader):
    rows = staticmethod(organisations.cooperatives_by_id)


class PairingAgreementByIdLoader(RowLoader):
    rows = staticmethod(pairing.agreements_by_id)


class OutcomeReportByIdLoader(RowLoader):
    rows = staticmethod(pairing.reports_by_id)


class LatestReportByAgreementLoader(RowLoader):
    rows = staticmethod(pairing.latest_reports)


class ReportsByAgreementLoader(RowLoader):
    rows = staticmethod(pairing.reports_by_agreement)


class FollowupByAgreementLoader(RowLoader):
    rows = staticmethod(pairing.followups_by_agreement)


class ProductByIdLoader(RowLoader):
    rows = staticmethod(trade.products_by_id)


class DemandByIdLoader(RowLoader):
    rows = staticmethod(trade.demands_by_id)


class OrderByIdLoader(RowLoader):
    rows = staticmethod(trade.orders_by_id)


class EvidenceByReportLoader(RowLoader):
    """Each report's evidence files in upload order (an empty list when it has none)."""

    @staticmethod
    def rows(session: Session, report_ids: list) -> dict:
        found: dict[int, list] = {key: [] for key in report_ids}
        query = (
            sa.select(ReportEvidence)
            .where(ReportEvidence.report_id.in_(report_ids))
            .order_by(ReportEvidence.report_id, ReportEvidence.id)
        )
        for row in session.scalars(query):
            found[row.report_id].append(row)
        return found


class ImagesByProductLoader(RowLoader):
    """Each product's photos in gallery order."""

    @staticmethod
    def rows(session: Session, product_ids: list) -> dict:
        found = product_images.images_of(session, product_ids)
        return {key: found.get(key, []) for key in product_ids}


class PriceCheckByProductLoader(RowLoader):
    """How each product's price compares with the median of comparable listed products."""

    rows = staticmethod(pricing.price_checks)


class LatestApplicationByProductLoader(RowLoader):
    rows = staticmethod(certification.latest_applications)


class CertificationApplicationByIdLoader(RowLoader):
    rows = staticmethod(lambda session, ids: by_keys(session, CertificationApplication.id, ids))


class ProductImageByIdLoader(RowLoader):
    rows = staticmethod(lambda session, ids: by_keys(session, ProductImage.id, ids))


class UserByIdLoader(RowLoader):
    rows = staticmethod(lambda session, ids: by_keys(session, User.id, ids))


class ApiTokenByIdLoader(RowLoader):
    rows = staticmethod(lambda session, ids: by_keys(session, ApiToken.id, ids))


# References from one visible object to another ---------------------------------------------------


class VisibleEnterpriseByIdLoader(RowLoader):
    """Enterprises another visible object refers to; one the reader may not see loads as a
    permission error (agreements, demands and orders exist only for approved ones, so it
    should never happen)."""

    def fetch(self, session: Session, keys: list) -> dict:
        actor = self.context.actor
        found = organisations.enterprises_by_id(session, keys)
        return {
            key: _checked(
                row,
                ENTERPRISES.allows(
                    actor, status=row.status, id=row.id, county_code=row.county_code
                ),
                "您没有权限查看该帮扶主体",
            )
            for key, row in found.items()
        }


class VisibleCooperativeByIdLoader(RowLoader):
    """Cooperatives another visible object (a product) refers to, checked like enterprises."""

    def fetch(self, session: Session, keys: list) -> dict:
        actor = self.context.actor
        found = organisations.cooperatives_by_id(session, keys)
        counties = regions.county_codes_of_villages(session, [c.village_id for c in found.values()])
        return {
            key: _checked(
                row,
                COOPERATIVES.allows(
                    actor, status=row.status, id=row.id, county_code=counties[row.village_id]
                ),
                "您没有权限查看该合作社",
            )
            for key, row in found.items()
        }


def _checked(row, allowed: bool, message: str):
    return row if allowed else PermissionDeniedError(message)


# Pages of children by parent ------------------------------------------------------------------


class VillageNeedsByVillageLoader(PageLoader):
    parent = VillageNeed.village_id

    @classmethod
    def select(cls, actor, args):
        status, kind = args.filters
        return regions.select_needs(status=status, kind=kind).order_by(None), regions.NEED_ORDER


class AgreementsByVillageLoader(PageLoader):
    parent = PairingAgreement.village_id
    PREFETCHED = frozenset({"enterprise", "latestReport"})

    @classmethod
    def select(cls, actor, args):
        query = pairing.select_agreements(actor=actor, filters=args.filters)
        return query.order_by(None), pairing.AGREEMENT_ORDER[args.order]

    def prefetch(self, session: Session, rows: list, include: frozenset[str]) -> None:
        loaders = self.context.loaders
        if "enterprise" in include:
            enterprises = loaders.visible_enterprise_by_id
            found = enterprises.fetch(session, [row.enterprise_id for row in rows])
            # Only what may be shown: a refusal goes through the loader and raises there.
            enterprises.prime_many(
                {key: row for key, row in found.items() if not isinstance(row, Exception)}
            )
        if "latestReport" in include:
            latest = pairing.latest_reports(session, [row.id for row in rows])
            loaders.latest_report_by_agreement.prime_many(
                {row.id: latest.get(row.id) for row in rows}
            )


class AgreementsByEnterpriseLoader(AgreementsByVillageLoader):
    parent = PairingAgreement.enterprise_id


class ProductsByCooperativeLoader(PageLoader):
    parent = Product.cooperative_id

    @classmethod
    def select(cls, actor, args):
        query = trade.select_products(actor=actor, filters=args.filters)
        return query.order_by(None), trade.PRODUCT_ORDER[args.order]


class DataLoaders:
    """The request's loaders, created on first use."""

    def __init__(self, context: "Context"):
        self._context = context

    def _make(self, loader: type[DataLoader]) -> Any:
        return loader(self._context)

    def release(self) -> None:
        """Let go of everything loaded: each loader's futures hold rows, and each loader holds the
        context, so without this a request's rows only go when the garbage collector finds the
        cycle (about 2 000 objects a page of villages, bench/README.md)."""
        for name, value in list(vars(self).items()):
            if isinstance(value, DataLoader):
                value.clear_all()
                value.batch = None  # its tasks hold the last batch's futures
                del self.__dict__[name]

    county_by_code = cached_property(lambda self: self._make(CountyByCodeLoader))
    township_by_code = cached_property(lambda self: self._make(TownshipByCodeLoader))
    village_by_id = cached_property(lambda self: self._make(VillageByIdLoader))
    village_need_by_id = cached_property(lambda self: self._make(VillageNeedByIdLoader))
    enterprise_by_id = cached_property(lambda self: self._make(EnterpriseByIdLoader))
    cooperative_by_id = cached_property(lambda self: self._make(CooperativeByIdLoader))
    agreement_by_id = cached_property(lambda self: self._make(PairingAgreementByIdLoader))
    report_by_id = cached_property(lambda self: self._make(OutcomeReportByIdLoader))
    latest_report_by_agreement = cached_property(
        lambda self: self._make(LatestReportByAgreementLoader)
    )
    reports_by_agreement = cached_property(lambda self: self._make(ReportsByAgreementLoader))
    followup_by_agreement = cached_property(lambda self: self._make(FollowupByAgreementLoader))
    product_by_id = cached_property(lambda self: self._make(ProductByIdLoader))
    demand_by_id = cached_property(lambda self: self._make(DemandByIdLoader))
    order_by_id = cached_property(lambda self: self._make(OrderByIdLoader))
    visible_enterprise_by_id = cached_property(lambda self: self._make(VisibleEnterpriseByIdLoader))
    visible_cooperative_by_id = cached_property(
        lambda self: self._make(VisibleCooperativeByIdLoader)
    )
    evidence_by_report = cached_property(lambda self: self._make(EvidenceByReportLoader))
    images_by_product = cached_property(lambda self: self._make(ImagesByProductLoader))
    price_check_by_product = cached_property(lambda self: self._make(PriceCheckByProductLoader))
    latest_application_by_product = cached_property(
        lambda self: self._make(LatestApplicationByProductLoader)
    )
    application_by_id = cached_property(lambda self: self._make(CertificationApplicationByIdLoader))
    product_image_by_id = cached_property(lambda self: self._make(ProductImageByIdLoader))
    user_by_id = cached_property(lambda self: self._make(UserByIdLoader))
    api_token_by_id = cached_property(lambda self: self._make(ApiTokenByIdLoader))
    needs_by_village = cached_property(lambda self: self._make(VillageNeedsByVillageLoader))
    agreements_by_village = cached_property(lambda self: self._make(AgreementsByVillageLoader))
    agreements_by_enterprise = cached_property(
        lambda self: self._make(AgreementsByEnterpriseLoader)
    )
    products_by_cooperative = cached_property(lambda self: self._make(ProductsByCooperativeLoader))
