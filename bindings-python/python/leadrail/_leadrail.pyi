"""Type stubs for the native module `leadrail._leadrail`."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from os import PathLike
from typing import Any, Final, Literal, Optional, Union, overload

__version__: Final[str]

GeoPointLike = Union[Mapping[str, float], Sequence[float]]
"""A point: `{"lat": .., "lon": ..}` or a pair `(lat, lon)`, in degrees."""

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

Instant = Union[int, str, datetime]
"""Milliseconds since the epoch, an RFC 3339 string (`"2026-11-24T09:00:00Z"`) or an aware datetime."""

Decision = dict[str, Any]
"""`{"outcome": {"kind": "partner", "id": ...} | {"kind": "queue", "name": ...} | {"kind": "unrouted"},
"rule": str | None, "state_read": {"partner", "version", "active_leads", "last_assigned_at"} | None,
"explanation": {...}}` (explanation only when asked for): core's serde form."""

RouteResult = dict[str, Any]
"""`{"ok": Decision}` or `{"error": report}` (a report dict as in `LeadrailError.diagnostics`)."""

Timeline = Mapping[str, Any]
"""`{"lead": "L1", "events": [{"at": Instant, "event": "assigned", "partner": "P1"}, ...]}`: a
lead's lifecycle events in the order they happened (`event` one of `created`, `assigned`,
`viewed`, `accepted`, `rejected`, `contacted`, `stage_changed`, `status_changed`, `retracted`,
`reassigned`, `handed_down`, `won`, `lost`, `ordered`, `delivered`)."""

SlaEvaluation = dict[str, Any]
"""`{"lead": str, "slas": [{"sla", "instance", "index", "stage"?, "partner"?, "state",
"started_at", "ended_at"?, "goal_ms", "elapsed_ms", "remaining_ms", "due_at"?, "next_at"?}],
"due": [{"id", "sla", "instance", "partner"?, "at", "kind": "warning", "threshold"} |
{..., "kind": "breach", "action": {"action": ...}}], "next_deadline"?: int, "cursor": int,
"reroute"?: {"trigger", "retract"?, "exclude": [{"partner", "reason"}]}}`: core's serde form
(`state` one of `running`, `paused`, `met`, `breached`, `cancelled`)."""

SlaResult = dict[str, Any]
"""`{"ok": SlaEvaluation}` or `{"error": report}`."""

PartnerCalendars = Mapping[str, Union[str, Mapping[str, str]]]
"""Partner id -> calendar name, or -> `{field: calendar name}`."""

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
    def network(self, partners: Iterable[Mapping[str, Any]]) -> Network:
        """A partner network; raises `DataError` naming the record and the field."""
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
        """One result per timeline; a bad timeline gets `{"error": ...}`. Runs without the GIL."""
    def next_deadline(
        self,
        timeline: Timeline,
        now: Instant,
        partner_calendars: Optional[PartnerCalendars] = None,
    ) -> Optional[int]:
        """The next instant (ms) at which the evaluation changes if no event is recorded."""

class Network:
    """Partners and their routing state, bound to the engine that built it."""

    def route(
        self,
        lead: Mapping[str, Any],
        now: Instant,
        explain: bool = False,
        exclude: Optional[Union[str, Iterable[str]]] = None,
    ) -> Decision:
        """Routes one lead without changing any state; raises `DataError` for a bad lead."""
    @overload
    def route_batch(
        self,
        leads: Iterable[Mapping[str, Any]],
        now: Union[Instant, Sequence[Instant]],
        explain: bool = False,
        exclude: Optional[Union[str, Iterable[str]]] = None,
        *,
        as_columns: Literal[False] = False,
    ) -> list[RouteResult]:
        """Routes leads in order, applying each assignment; one result per lead (a bad lead
        gets `{"error": ...}` and changes no state). Runs without the GIL; batches of 32,768
        leads or more are routed in chunks on a second thread while this one converts (same
        results, errors and state; a batch that raises leaves the state as it was)."""
    @overload
    def route_batch(
        self,
        leads: Iterable[Mapping[str, Any]],
        now: Union[Instant, Sequence[Instant]],
        explain: Literal[False] = False,
        exclude: Optional[Union[str, Iterable[str]]] = None,
        *,
        as_columns: Literal[True],
    ) -> dict[str, list[Any]]:
        """Like `route_batch`, returning the columns of `route_columns` (`kind`, `target`,
        `rule`, `error`) rather than a dict per lead: far cheaper for big batches (not with
        `explain`)."""
    def route_columns(
        self,
        columns: Mapping[str, Sequence[Any]],
        now: Union[Instant, Sequence[Instant]],
        exclude: Optional[Union[str, Iterable[str]]] = None,
    ) -> dict[str, list[Any]]:
        """Like `route_batch` with leads as columns (`id` and the fields; lists, tuples, numpy
        arrays, pandas Series). Returns columns `kind`, `target`, `rule`, `error`."""
    def state(self) -> dict[str, Any]:
        """`{"seq": int, "partners": [{"id", "active_leads", "last_assigned_at", "last_seq",
        "assigned", "version"}, ...]}`."""
    def load_state(self, state: Mapping[str, Any]) -> None:
        """Loads a state exported by `state()`."""
    def __len__(self) -> int: ...
