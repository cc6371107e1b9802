"""Type stubs for the native module `leadrail._leadrail`."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from os import PathLike
from typing import Any, Final, Generic, Literal, Optional, Union, final, overload

from typing_extensions import TypeVar

from leadrail._results import Explanation, Report, SlaEvaluation, SlaResult
from leadrail._types import GeoPointLike, Instant, Instants, PartnerCalendars, Records, Timeline

__all__ = [
    "DataError",
    "Decision",
    "Engine",
    "LeadrailError",
    "Network",
    "Outcome",
    "RouteResult",
    "RouteResults",
    "RouteResultsIterator",
    "RuleError",
    "StateRead",
    "__version__",
    "distances_km",
    "error_codes",
    "haversine_km",
    # KPIs (src/kpi.rs)
    "KpiAnswer",
    "feed_back_call",
    "forecast_call",
    "kpi_call",
]

__version__: Final[str]


class LeadrailError(Exception):
    """Base class of every leadrail error."""

    code: str
    """A stable code, one of `error_codes()`."""
    message: str
    help: Optional[str]
    file: Optional[str]
    line: int
    """1-based line of the first diagnostic (0 when it has no position)."""
    column: int
    """1-based column, in code points, of the first diagnostic (0 when it has no position)."""
    record: Optional[str]
    field: Optional[str]
    diagnostics: list[dict[str, Any]]
    """Every report, in the shared wire shape (code, message, help, severity, line, column, ...)."""

class RuleError(LeadrailError):
    """A rule text was rejected; `diagnostics` lists every problem."""

class DataError(LeadrailError):
    """A host record was rejected; `record` and `field` say where."""

def haversine_km(a: GeoPointLike, b: GeoPointLike) -> float:
    """Great-circle distance in km between two points (WGS 84, mean Earth radius)."""

def distances_km(origin: GeoPointLike, points: Iterable[GeoPointLike]) -> list[float]:
    """Distances in km from `origin` to each point, computed without holding the GIL."""

def error_codes() -> list[str]:
    """Every stable error code."""


@final
class Outcome:
    """Where a lead goes."""

    @property
    def kind(self) -> Literal["partner", "queue", "unrouted"]: ...
    @property
    def id(self) -> Optional[str]:
        """The partner id (a `partner` outcome), else None."""
    @property
    def name(self) -> Optional[str]:
        """The queue name (a `queue` outcome), else None."""
    def to_dict(self) -> dict[str, Any]:
        """`{"kind": "partner", "id": ...}`, `{"kind": "queue", "name": ...}` or `{"kind": "unrouted"}`."""

@final
class StateRead:
    """The chosen partner's state as the decision read it (for a compare-and-set)."""

    @property
    def partner(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def active_leads(self) -> int: ...
    @property
    def last_assigned_at(self) -> Optional[int]:
        """Milliseconds since the epoch, or None."""
    def to_dict(self) -> dict[str, Any]: ...

_Explained = TypeVar("_Explained", bound=Optional[Explanation], default=Optional[Explanation], covariant=True)

@final
class Decision(Generic[_Explained]):
    """The routing decision for one lead (`Decision[Explanation]`: asked for with
    `explain=True`, so its `explanation` is there)."""

    @property
    def outcome(self) -> Outcome: ...
    @property
    def rule(self) -> Optional[str]:
        """The rule that decided (its name), or `fallback`."""
    @property
    def state_read(self) -> Optional[StateRead]:
        """The chosen partner's state as read (a partner outcome), else None."""
    @property
    def explanation(self) -> _Explained:
        """Why (with `explain=True`), else None."""
    def to_dict(self) -> dict[str, Any]:
        """`{"outcome": ..., "rule": ..., "state_read": ..., "explanation": ...}` (explanation only
        when asked for): core's serde form."""

@final
class RouteResult:
    """One lead's result in a batch: `ok` (its decision) or `error` (why it was not routed)."""

    @property
    def ok(self) -> Optional[Decision]: ...
    @property
    def error(self) -> Optional[Report]: ...
    def is_ok(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]:
        """`{"ok": decision}` or `{"error": report}`."""

@final
class RouteResultsIterator:
    def __iter__(self) -> RouteResultsIterator: ...
    def __next__(self) -> RouteResult: ...

@final
class RouteResults:
    """A batch's results, one `RouteResult` per lead in order, kept in core's compact form: each
    item is made when read (indexing, slicing, iterating)."""

    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, index: int, /) -> RouteResult: ...
    @overload
    def __getitem__(self, index: slice, /) -> list[RouteResult]: ...
    def __iter__(self) -> RouteResultsIterator: ...
    def columns(self) -> dict[str, list[Any]]:
        """`kind` (`partner`/`queue`/`unrouted`, None for an error), `target` (partner id or
        queue name), `rule`, `error` (a report dict or None): one list each."""
    def to_list(self) -> list[dict[str, Any]]:
        """One dict per lead, `{"ok": decision}` or `{"error": report}`."""


@final
class Engine:
    """A compiled ruleset. Immutable; share it freely across threads."""

    @staticmethod
    def compile(
        text: str,
        file: str = "rules.rail",
        files: Optional[Mapping[str, str]] = None,
        base_dir: Optional[Union[str, PathLike[str]]] = None,
    ) -> Engine:
        """Compiles rule text; raises `RuleError` with every diagnostic. Holiday files
        (`holidays "path"`) come from `files` (path as written -> text), then from `base_dir`:
        only relative paths that stay inside it (symbolic links resolved), regular files of at
        most 1 MiB. With neither, rule text reads no file from disk (`file` is only the name in
        diagnostics)."""
    @staticmethod
    def from_file(path: Union[str, PathLike[str]]) -> Engine:
        """Compiles a rule file (its path is the file name in diagnostics); holiday files are
        read from its directory, as with `base_dir`; `OSError` if unreadable."""
    @property
    def warnings(self) -> list[dict[str, Any]]:
        """The compilation's warnings, as report dicts."""
    @property
    def name(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def content_hash(self) -> str: ...
    @property
    def slas(self) -> list[str]:
        """The names of the ruleset's SLAs, in order."""
    def network(self, partners: Records, *, text_cells: Optional[bool] = None) -> Network:
        """A partner network from any iterable of mappings, a pandas DataFrame or a pyarrow
        Table; raises `DataError` naming the record and the field. `text_cells=True` (the
        default for a table) reads string values as CSV cells (`a|b` sets, `US except US-AK`
        territories, `k=v|k2=v2` maps, `lat lon` points, `42`), as `csv.DictReader` gives them."""
    @overload
    def evaluate_sla(
        self,
        timelines: Timeline,
        now: Instant,
        done: Optional[Union[Iterable[str], Instant]] = None,
        partner_calendars: Optional[PartnerCalendars] = None,
    ) -> SlaEvaluation:
        """Evaluates the SLAs over one timeline at `now`; raises `DataError` naming the lead
        (`record`) and the event (`field`). `done`: the action ids executed (a list/tuple/set)
        or the previous evaluation's `cursor`."""
    @overload
    def evaluate_sla(
        self,
        timelines: Iterable[Timeline],
        now: Instant,
        done: Optional[Union[Iterable[str], Instant]] = None,
        partner_calendars: Optional[PartnerCalendars] = None,
    ) -> list[SlaResult]:
        """One result per timeline; a bad timeline gets an `error`. Runs without the GIL."""
    def next_deadline(
        self,
        timeline: Timeline,
        now: Instant,
        partner_calendars: Optional[PartnerCalendars] = None,
    ) -> Optional[int]:
        """The next instant (ms) at which the evaluation changes if no event is recorded."""

@final
class Network:
    """Partners and their routing state, bound to the engine that built it."""

    @overload
    def route(
        self,
        lead: Mapping[str, Any],
        now: Instant,
        explain: Literal[True],
        exclude: Optional[Union[str, Iterable[str]]] = None,
        *,
        text_cells: bool = False,
    ) -> Decision[Explanation]: ...
    @overload
    def route(
        self,
        lead: Mapping[str, Any],
        now: Instant,
        explain: bool = False,
        exclude: Optional[Union[str, Iterable[str]]] = None,
        *,
        text_cells: bool = False,
    ) -> Decision:
        """Routes one lead without changing any state; raises `DataError` for a bad lead."""
    @overload
    def route_batch(
        self,
        leads: Records,
        now: Instants,
        explain: bool = False,
        exclude: Optional[Union[str, Iterable[str]]] = None,
        *,
        as_columns: Literal[False] = False,
        text_cells: Optional[bool] = None,
    ) -> RouteResults:
        """Routes leads in order, applying each assignment; one result per lead (a bad lead
        gets an `error` and changes no state). Runs without the GIL; batches of 32,768
        leads or more are routed in chunks on a second thread while this one converts (same
        results, errors and state; a batch that raises leaves the state as it was)."""
    @overload
    def route_batch(
        self,
        leads: Records,
        now: Instants,
        explain: Literal[False] = False,
        exclude: Optional[Union[str, Iterable[str]]] = None,
        *,
        as_columns: Literal[True],
        text_cells: Optional[bool] = None,
    ) -> dict[str, list[Any]]:
        """Like `route_batch`, returning the columns of `route_columns` (`kind`, `target`,
        `rule`, `error`) rather than a dict per lead: far cheaper for big batches (not with
        `explain`)."""
    def route_columns(
        self,
        columns: Mapping[str, Any],
        now: Instants,
        exclude: Optional[Union[str, Iterable[str]]] = None,
        *,
        text_cells: bool = False,
    ) -> RouteResults:
        """Like `route_batch` with leads as columns (`id` and the fields; lists, tuples, numpy
        arrays, pandas Series, pyarrow arrays; numeric arrays read from their buffer);
        `columns()` of the results gives `kind`, `target`, `rule`, `error`."""
    @overload
    def assign(
        self,
        lead: Mapping[str, Any],
        now: Instant,
        explain: Literal[True],
        exclude: Optional[Union[str, Iterable[str]]] = None,
        *,
        text_cells: bool = False,
    ) -> Decision[Explanation]: ...
    @overload
    def assign(
        self,
        lead: Mapping[str, Any],
        now: Instant,
        explain: bool = False,
        exclude: Optional[Union[str, Iterable[str]]] = None,
        *,
        text_cells: bool = False,
    ) -> Decision:
        """Routes one lead and records it (the decision and state of a one-lead `route_batch`);
        the partner holds the lead until `release`."""
    def add_partner(self, partner: Mapping[str, Any]) -> None:
        """Adds a partner; a bad record or a known id raises `DataError` and changes nothing."""
    def update_partner(self, partner: Mapping[str, Any]) -> None:
        """Replaces a partner's record by id, keeping its state; raises like `add_partner`."""
    def remove_partner(self, id: str) -> None:
        """Removes a partner; the leads it held are no longer held."""
    def release(self, lead_id: str, partner: Optional[str] = None) -> str:
        """Frees the workload slot of a lead `assign` gave (or, with `partner`, of a lead routed
        in a batch) once; returns the partner id. Unknown or released: `DataError`."""
    def holder(self, lead_id: str) -> Optional[str]:
        """The partner holding a lead `assign` gave it, or None."""
    def state(self) -> dict[str, Any]:
        """`{"seq": int, "partners": [{"id", "active_leads", "last_assigned_at", "last_seq",
        "assigned", "version"}, ...], "held": [{"lead", "partner"}, ...]}` (`held` only when
        leads are held)."""
    def load_state(self, state: Mapping[str, Any]) -> None:
        """Loads a state exported by `state()`."""
    def __len__(self) -> int: ...

# KPIs and the forecast (src/kpi.rs); the typed API is `leadrail.kpi`, `leadrail.forecast`,
# `leadrail.feed_back` (leadrail/_kpi.py), which wrap these.

@final
class KpiAnswer:
    """A KPI report or forecast as core computed it."""
    def to_dict(self) -> dict[str, Any]:
        """Core's serde form of the `KpiReport` or `Forecast`."""
    def columns(self) -> dict[str, dict[str, list[Any]]]:
        """Each table as columns: `{table: {column: [values]}}`."""
    def measures(self) -> list[dict[str, Any]]:
        """The per-partner measures of a report grouped by partner only."""

def kpi_call(
    timelines: Iterable[Timeline],
    now: Instant,
    options: Optional[Mapping[str, Any]] = None,
    engine: Optional[Engine] = None,
) -> KpiAnswer:
    """Every KPI as of `now` (with `engine`'s SLAs); `options` as `leadrail.kpi` takes them."""

def forecast_call(
    timelines: Iterable[Timeline],
    now: Instant,
    options: Optional[Mapping[str, Any]] = None,
) -> KpiAnswer:
    """The stage-weighted forecast as of `now`."""

def feed_back_call(
    network: Network,
    timelines: Iterable[Timeline],
    now: Instant,
    options: Optional[Mapping[str, Any]] = None,
) -> list[dict[str, Any]]:
    """Writes the measured KPIs into the network's partner fields; returns the measures."""
# deal registration (src/dealreg.rs): the typed classes are `leadrail._dealreg`'s
__all__ += ["register"]

def register(
    engine: Engine,
    registry: Iterable[Mapping[str, Any]],
    deals: Iterable[Mapping[str, Any]],
    now: Instant,
    policy: Optional[str] = None,
    submit: bool = False,
) -> list[dict[str, Any]]:
    """Each deal's verdict as core's serde form (`leadrail.register` gives them typed)."""

__all__ += ["Registry"]

@final
class Registry:
    """Registrations, CRM accounts and open leads held once for lead routing (core's
    `host::SharedRegistry`); `leadrail.Registry` wraps it with typed results."""

    def __new__(cls, records: Iterable[Mapping[str, Any]]) -> Registry: ...
    def add(self, record: Mapping[str, Any]) -> bool: ...
    def remove(self, id: str) -> bool: ...
    def __len__(self) -> int: ...
    def expire(self, now: Instant) -> list[str]:
        """Marks expired every approved registration whose protection ended at or before `now`
        (its `protected_until` <= `now`); their ids, earliest end first. Raises
        `LeadrailError` (code `leadrail::request::invalid`) for a bad `now`."""
    def get(self, id: str) -> Optional[dict[str, Any]]:
        """The record of `id` in the form `add` reads (core's), or None."""
    def records(self) -> list[dict[str, Any]]:
        """Every record in the form `add` reads, in the order added."""
    def route(
        self,
        network: Network,
        leads: Sequence[Mapping[str, Any]],
        now: Instant,
        exclude: Sequence[str] = ...,
        assign: bool = False,
    ) -> list[tuple[Decision, Optional[dict[str, Any]]]]:
        """Each lead's decision (typed) and conflict (core's serde form, or None)."""
