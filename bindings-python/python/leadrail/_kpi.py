"""Channel KPIs, the stage-weighted forecast and the feedback into routing (docs/kpi.md).

Exported by `leadrail`. The figures are computed by the Rust core; this module only passes the arguments and gives the
answers typed: `KpiReport` and `Forecast` (frozen dataclasses), whose `to_dict()` is core's
serde form and whose `columns()` is each table as columns, which `pandas.DataFrame` and
`pyarrow.table` take as they are::

    report = leadrail.kpi(timelines, now, by=["partner", "month"], leads=leads)
    report.assignments[0].acceptance_rate
    pandas.DataFrame(report.columns("assignments"))

Inputs: timelines as `Engine.evaluate_sla` takes them, lists of mappings for lead records,
engagement events and partner records; instants as ms since the epoch, RFC 3339 text or aware
datetimes; amounts as numbers, exact `Decimal`s or decimal text.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, ClassVar, Iterable, Mapping, Sequence

from . import _leadrail
from ._types import Instant, PartnerCalendars, Timeline


class _Typed:
    """Built from core's serde form: nested values by `_nested` (a class, or a list of it)."""

    _nested: ClassVar[Mapping[str, Any]] = {}

    @classmethod
    def _of(cls, d: Mapping[str, Any]) -> Any:
        args = {}
        for f in dataclasses.fields(cls):  # type: ignore[arg-type]
            if f.name.startswith("_") or f.name not in d:
                continue
            v, kind = d[f.name], cls._nested.get(f.name)
            if isinstance(kind, list) and v is not None:
                v = [kind[0]._of(x) for x in v]
            elif kind is not None and v is not None:
                v = kind._of(v)
            args[f.name] = v
        return cls(**args)


@dataclass(frozen=True)
class Stats(_Typed):
    """Statistics of a set of durations (ms); an empty set has count 0 and the rest None."""

    count: int = 0
    sum: int | None = None
    mean: float | None = None
    median: float | None = None
    p90: int | None = None


@dataclass(frozen=True, kw_only=True)
class _Keyed(_Typed):
    """The group of a row: the grouped dimensions (None: not grouped, or the null group)."""

    partner: str | None = None
    country: str | None = None
    region: str | None = None
    product_line: str | None = None
    period: str | None = None


@dataclass(frozen=True, kw_only=True)
class _Outcomes(_Typed):
    """What became of a partner's assignments (shared by `AssignmentRow` and `Measure`)."""

    accepted: int
    rejected: int
    lapsed: int
    pending: int
    acceptance_rate: float | None
    converted: int
    conversion_rate: float | None


@dataclass(frozen=True, kw_only=True)
class AssignmentRow(_Keyed, _Outcomes):
    """Assignments and what became of them, response and first-contact times."""

    _nested: ClassVar[Mapping[str, Any]] = {"response_time": Stats, "first_contact": Stats}
    assignments: int
    response_time: Stats
    first_contact: Stats


@dataclass(frozen=True, kw_only=True)
class RejectionRow(_Keyed):
    """Rejections per reason text."""

    reason: str
    count: int


@dataclass(frozen=True, kw_only=True)
class LeadRow(_Keyed):
    """Lead conversion (no partner)."""

    leads: int
    won: int
    conversion_rate: float | None


@dataclass(frozen=True, kw_only=True)
class OpenLeadRow(_Keyed):
    """Open leads, their ages, and those untouched for `untouched_after`."""

    _nested: ClassVar[Mapping[str, Any]] = {"age": Stats}
    open: int
    age: Stats
    untouched: int | None


@dataclass(frozen=True, kw_only=True)
class StageRow(_Keyed):
    """Time in stage (closed stays) and the stays open at `now`."""

    _nested: ClassVar[Mapping[str, Any]] = {"time_in_stage": Stats}
    stage: str
    time_in_stage: Stats
    open: int
    open_mean_age: float | None


@dataclass(frozen=True, kw_only=True)
class DealRow(_Keyed):
    """Sales cycles and order fulfilment."""

    _nested: ClassVar[Mapping[str, Any]] = {"sales_cycle": Stats, "fulfilment": Stats}
    sales_cycle: Stats
    fulfilment: Stats


@dataclass(frozen=True, kw_only=True)
class SlaRow(_Keyed):
    """SLA attainment of one policy."""

    sla: str
    met: int
    breached: int
    attainment: float | None


@dataclass(frozen=True, kw_only=True)
class EngagementRow(_Keyed):
    """Engagement events and active local days."""

    events: int
    active_days: int


@dataclass(frozen=True, kw_only=True)
class EngagementKindRow(_Keyed):
    """Engagement events of one kind."""

    kind: str
    events: int


@dataclass(frozen=True, kw_only=True)
class FirstDealRow(_Keyed):
    """Time to first deal."""

    _nested: ClassVar[Mapping[str, Any]] = {"time_to_first_deal": Stats}
    time_to_first_deal: Stats


@dataclass(frozen=True, kw_only=True)
class Measure(_Outcomes):
    """A partner's measured performance, as written into its fields by `feed_back`."""

    partner: str
    leads_received: int
    median_response_time: float | None
    mean_response_time: float | None
    p90_response_time: int | None
    median_first_contact: float | None
    sla_attainment: float | None


class _Answer(_Typed):
    """A report or forecast: the native answer kept for `to_dict()` and `columns()`."""

    _native: Any

    @classmethod
    def _wrap(cls, native: Any) -> Any:
        out = cls._of(native.to_dict())
        object.__setattr__(out, "_native", native)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Core's serde form (plain dicts, lists, numbers, text and None)."""
        return self._native.to_dict()  # type: ignore[no-any-return]

    def columns(self, table: str | None = None) -> dict[str, Any]:
        """Every table as columns (`{table: {column: [values]}}`), or the one named `table`
        (`{column: [values]}`); statistics are flattened (`response_time_median`). An empty
        table has no columns."""
        cols: dict[str, Any] = self._native.columns()
        if table is None:
            return cols
        if table not in cols:
            raise KeyError(f"no table `{table}`; tables are {', '.join(cols)}")
        return cols[table]  # type: ignore[no-any-return]


_ROWS = {
    "assignments": [AssignmentRow],
    "rejections": [RejectionRow],
    "leads": [LeadRow],
    "open_leads": [OpenLeadRow],
    "stages": [StageRow],
    "deals": [DealRow],
    "sla": [SlaRow],
    "engagement": [EngagementRow],
    "engagement_kinds": [EngagementKindRow],
    "first_deals": [FirstDealRow],
}


@dataclass(frozen=True, kw_only=True)
class KpiReport(_Answer):
    """Every KPI as of `now`, one table (a list of rows) per family of metrics."""

    _nested: ClassVar[Mapping[str, Any]] = _ROWS
    now: int
    tz: str
    by: list[str]
    assignments: list[AssignmentRow]
    rejections: list[RejectionRow]
    leads: list[LeadRow]
    open_leads: list[OpenLeadRow]
    stages: list[StageRow]
    deals: list[DealRow]
    sla: list[SlaRow]
    engagement: list[EngagementRow]
    engagement_kinds: list[EngagementKindRow]
    first_deals: list[FirstDealRow]

    def measures(self) -> list[Measure]:
        """Per-partner measures (the report must be grouped by partner only)."""
        return [Measure._of(m) for m in self._native.measures()]


@dataclass(frozen=True)
class StageRate(_Typed):
    """Closed leads that were in a stage (None: all closed leads), and their win rate."""

    closed: int
    won: int
    rate: float | None
    stage: str | None = None


@dataclass(frozen=True, kw_only=True)
class ForecastRow(_Keyed):
    """Forecast leads of a group, their amounts and expected value."""

    leads: int
    amount: float
    expected: float


@dataclass(frozen=True)
class LeftOut(_Typed):
    """Open leads left out of the forecast (no stage or no amount)."""

    leads: int
    amount: float


@dataclass(frozen=True)
class Range(_Typed):
    """The 10% and 90% points of the total won amount; drawn ones with their 95% interval."""

    p10: float
    p90: float
    method: str
    draws: int | None = None
    seed: int | None = None
    p10_interval: list[float] | None = None
    p90_interval: list[float] | None = None


@dataclass(frozen=True)
class LeadForecast(_Typed):
    """One forecast lead's win probability (with `detail`)."""

    lead: str
    stage: str
    partner: str | None
    amount: float
    probability: float


@dataclass(frozen=True, kw_only=True)
class Forecast(_Answer):
    """The stage-weighted forecast as of `now`."""

    _nested: ClassVar[Mapping[str, Any]] = {
        "overall": StageRate,
        "stages": [StageRate],
        "total": ForecastRow,
        "range": Range,
        "groups": [ForecastRow],
        "left_out": LeftOut,
        "leads": [LeadForecast],
    }
    now: int
    tz: str
    by: list[str]
    m: float
    overall: StageRate
    stages: list[StageRate]
    total: ForecastRow
    range: Range
    groups: list[ForecastRow]
    left_out: LeftOut
    leads: list[LeadForecast] | None = None


def _options(args: Mapping[str, Any]) -> dict[str, Any]:
    """The options given (a call's keyword arguments but `network`, `engine`)."""
    skip = ("timelines", "now", "network", "engine")
    return {k: v for k, v in args.items() if v is not None and k not in skip}


def kpi(
    timelines: Iterable[Timeline],
    now: Instant,
    *,
    engine: _leadrail.Engine | None = None,
    leads: Sequence[Mapping[str, Any]] | None = None,
    engagement: Sequence[Mapping[str, Any]] | None = None,
    partners: Sequence[Mapping[str, Any]] | None = None,
    by: Sequence[str] | str | None = None,
    tz: str | None = None,
    untouched_after: int | str | None = None,
    fields: Mapping[str, str] | None = None,
    joined_field: str | None = None,
    partner_calendars: PartnerCalendars | None = None,
    threads: int | None = None,
) -> KpiReport:
    """Every KPI as of `now` (SLA attainment with `engine`'s SLAs). `by`: any of `partner`,
    `country` or `region`, `product`, and one of `day`, `week`, `month`, `quarter`;
    `untouched_after`: ms or text (`7d`); `fields`: the lead record fields read
    (`{"amount": "deal_size"}`); `joined_field`: the partner field with the join date. Raises
    `DataError` naming the record and the field for a bad input."""
    opts = _options(locals())
    return KpiReport._wrap(_leadrail.kpi_call(timelines, now, opts, engine))  # type: ignore[no-any-return]


def forecast(
    timelines: Iterable[Timeline],
    now: Instant,
    *,
    leads: Sequence[Mapping[str, Any]] | None = None,
    by: Sequence[str] | str | None = None,
    tz: str | None = None,
    m: float | None = None,
    draws: int | None = None,
    seed: int | None = None,
    detail: bool | None = None,
    fields: Mapping[str, str] | None = None,
    threads: int | None = None,
) -> Forecast:
    """The stage-weighted forecast as of `now`: `m` the prior weight (10), `draws` and `seed`
    for the range of more than 16 leads, `detail` for each lead's probability."""
    opts = _options(locals())
    return Forecast._wrap(_leadrail.forecast_call(timelines, now, opts))  # type: ignore[no-any-return]


def feed_back(
    network: _leadrail.Network,
    timelines: Iterable[Timeline],
    now: Instant,
    *,
    measure_fields: Mapping[str, str] | None = None,
    leads: Sequence[Mapping[str, Any]] | None = None,
    tz: str | None = None,
    untouched_after: int | str | None = None,
    partner_calendars: PartnerCalendars | None = None,
    threads: int | None = None,
) -> list[Measure]:
    """Writes each partner's measured performance (KPIs by partner as of `now`, with the SLAs of
    the network's ruleset) into its fields: `measure_fields` maps measure names to partner
    fields (default: `acceptance_rate`, `conversion_rate`, `leads_received`, `sla_attainment`
    into the fields of those names the schema has). Returns the measures."""
    opts = _options(locals())
    return [Measure._of(m) for m in _leadrail.feed_back_call(network, timelines, now, opts)]
