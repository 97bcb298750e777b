"""Shared state of one seed run: sizes, the fixed clock, the random source and batched inserts.

Every step draws from one ``random.Random(seed)`` in a fixed order and reads the fixed reference
clock below, never the wall clock, so the same seed always writes the same rows.
"""

import bisect
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from random import Random
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, SQLModel

T = TypeVar("T")
Progress = Callable[[str, int, int], None]

# "Now" for all demo data: agreements, reports and orders happen before this instant.
REFERENCE_DATE = date(2026, 11, 1)
REFERENCE_TIME = datetime(2026, 11, 1, tzinfo=UTC)
# Three years of history before the reference date.
HISTORY_START = date(2023, 11, 1)
BATCH_SIZE = 2000


@dataclass(frozen=True)
class Scale:
    """How many rows of each kind a seed run writes (needs and reports follow from these)."""

    villages: int
    enterprises: int
    cooperatives: int
    products: int
    agreements: int
    demands: int
    orders: int


SCALES: dict[str, Scale] = {
    "tiny": Scale(
        villages=200,
        enterprises=30,
        cooperatives=60,
        products=300,
        agreements=80,
        demands=20,
        orders=200,
    ),
    "city": Scale(
        villages=3000,
        enterprises=500,
        cooperatives=1500,
        products=10_000,
        agreements=1500,
        demands=300,
        orders=8000,
    ),
    "province": Scale(
        villages=20_000,
        enterprises=10_000,
        cooperatives=30_000,
        products=100_000,
        agreements=30_000,
        demands=3000,
        orders=300_000,
    ),
}


@dataclass(slots=True)
class VillageRef:
    id: int
    code: str
    name: str
    county_code: str
    township_name: str
    key: bool
    lifted: bool
    households: int
    specialties: tuple[int, ...]  # indices into the county's specialty list


@dataclass(slots=True)
class EnterpriseRef:
    id: int
    kind: str
    county_code: str | None
    region_label: str  # where deliveries go, e.g. 运城市万荣县 or 北京市朝阳区
    offers: int
    approved: bool
    capacity: int  # max_villages: open agreements it will hold at once


@dataclass(slots=True)
class CooperativeRef:
    id: int
    village: VillageRef
    specialties: tuple[int, ...]
    approved: bool


@dataclass(slots=True)
class ProductRef:
    id: int
    village_id: int
    category: str
    unit: str
    price_fen: int
    min_order: int
    word: str  # the crop or item, e.g. 苹果, used in demand titles


@dataclass(slots=True)
class AgreementRef:
    id: int
    enterprise_id: int
    village_id: int
    status: str
    start_on: date
    end_on: date
    reports_until: date  # the last day reports cover: the end, the termination or "now"
    commitments: tuple[int, ...]  # in INDICATORS order


@dataclass
class SeedRun:
    """The session, the random source and the compact lookups later steps need."""

    session: Session
    scale: Scale
    rng: Random
    progress: Progress | None
    counts: dict[str, int] = field(default_factory=dict)
    county_names: dict[str, str] = field(default_factory=dict)
    # Names of each county's towns and rural townships (镇/乡), for organisation names.
    towns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    villages: list[VillageRef] = field(default_factory=list)
    enterprises: list[EnterpriseRef] = field(default_factory=list)
    cooperatives: list[CooperativeRef] = field(default_factory=list)
    listed_products: list[ProductRef] = field(default_factory=list)
    agreements: list[AgreementRef] = field(default_factory=list)
    # Last number handed out per app.services.numbering counter (agreement:2026, order:20261015).
    counters: dict[str, int] = field(default_factory=dict)

    def inserter(
        self, model: type[SQLModel], label: str, *, after: "BatchInserter | None" = None
    ) -> "BatchInserter":
        """A batch writer; rows referring to another writer's rows pass it as ``after``."""
        self.counts.setdefault(label, 0)  # counts list the tables in the order they are opened
        return BatchInserter(self, model, label, after)

    def step(self, label: str, total: int) -> "Step":
        return Step(self.progress, label, total)


class BatchInserter:
    """Collects rows and writes them with bulk Core inserts of ``BATCH_SIZE`` rows."""

    def __init__(self, run: SeedRun, model: type[SQLModel], label: str, after=None):
        self.run = run
        self.after: BatchInserter | None = after  # flushed first, so foreign keys resolve
        self.table: sa.Table = model.__table__  # type: ignore[attr-defined]
        self.label = label
        self.count = 0
        self.pending: list[dict[str, Any]] = []

    def add(self, row: dict[str, Any]) -> None:
        self.pending.append(row)
        if len(self.pending) >= BATCH_SIZE:
            self.flush()

    def flush(self) -> None:
        if self.after is not None:
            self.after.flush()
        if self.pending:
            self.run.session.execute(sa.insert(self.table), self.pending)
            self.count += len(self.pending)
            self.pending = []

    def __enter__(self) -> "BatchInserter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.flush()
            self.run.counts[self.label] += self.count


class Step:
    """Reports a step's progress about fifty times, and always at the end."""

    def __init__(self, progress: Progress | None, label: str, total: int):
        self.progress, self.label, self.total = progress, label, total
        self.done = 0
        self._every = max(1, total // 50)
        self._report()

    def advance(self, n: int = 1) -> None:
        before = self.done
        self.done += n
        if self.done >= self.total or self.done // self._every != before // self._every:
            self._report()

    def _report(self) -> None:
        if self.progress is not None:
            self.progress(self.label, min(self.done, self.total), self.total)


class WeightedPicker:
    """Draws items by weight in O(log n) per draw (``random.choices`` re-sums every call)."""

    def __init__(self, items: Sequence[T], weights: Sequence[float]):
        self.items = items
        self.cumulative = list(itertools.accumulate(weights))

    def __len__(self) -> int:
        return len(self.items)

    def pick(self, rng: Random) -> T:
        x = rng.random() * self.cumulative[-1]
        return self.items[min(bisect.bisect_right(self.cumulative, x), len(self.items) - 1)]


def quota(rng: Random, shares: dict[str, float], n: int) -> list[str]:
    """``n`` values in the given shares (each at least once when n allows), shuffled."""
    counts = {
        k: (max(1, round(n * s)) if n >= len(shares) else round(n * s)) for k, s in shares.items()
    }
    biggest = max(shares, key=shares.__getitem__)
    counts[biggest] += n - sum(counts.values())
    values = [k for k, c in counts.items() for _ in range(c)]
    rng.shuffle(values)
    return values


def weighted(rng: Random, table: dict[T, float]) -> T:
    return rng.choices(list(table), weights=list(table.values()))[0]


def random_day(rng: Random, start: date, end: date) -> date:
    """A day in [start, end]."""
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def office_time(rng: Random, day: date) -> datetime:
    """A moment in Beijing office hours (01:00–10:00 UTC) on ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(
        seconds=rng.randint(3600, 36000)
    )


def random_time(rng: Random, start: datetime, end: datetime) -> datetime:
    """A moment in [start, end), to the second."""
    span = max(1, int((end - start).total_seconds()))
    return start + timedelta(seconds=rng.randrange(span))


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def round_to(value: float, step: int) -> int:
    return max(step, round(value / step) * step)
