"""The results read once, whole: error reports, explanations and SLA evaluations.

Exported by `leadrail`. Frozen classes over core's serde form: the native module gives it as
JSON text (a batch's results as one text), parsed at C speed by the `json` module; the
attributes are read from the parsed form when asked for (a nested result, or a list of them,
made on each read), and `to_dict()` gives the form back. Equal when their forms are. The
results read many at a time and lazily (`RouteResults`, `RouteResult`, `Decision`, `Outcome`,
`StateRead`) are the native module's: a `Decision`'s `explanation` and a `RouteResult`'s
`error` are made here.
"""

from __future__ import annotations

import gc
import json
from dataclasses import FrozenInstanceError
from typing import Any, Callable, Generic, Literal, NoReturn, Optional, TypeVar, overload

_scan: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # (the C scanner)
_new = object.__new__
T = TypeVar("T")


def _plain(x: Any) -> Any:
    """A deep copy of a parsed form, each dict's keys in ascending order (as `to_dict()`
    always gave them)."""
    if type(x) is dict:
        return {k: _plain(x[k]) for k in sorted(x)}
    if type(x) is list:
        return [_plain(v) for v in x]
    return x


def _rebuild(cls: Any, form: dict[str, Any]) -> Any:
    return cls._of(form)


class _Form:
    """A result over its parsed serde form `_f` (set once, by `_of`)."""

    __slots__ = ("_f",)
    _f: dict[str, Any]

    @classmethod
    def _of(cls, form: dict[str, Any]) -> Any:
        obj = _new(cls)
        _set_form(obj, form)
        return obj

    @classmethod
    def _many(cls, forms: Optional[list[dict[str, Any]]]) -> list[Any]:
        if not forms:
            return []
        new, set_form, out = _new, _set_form, []
        for form in forms:
            obj = new(cls)
            set_form(obj, form)
            out.append(obj)
        return out

    @classmethod
    def _json(cls, text: str) -> Any:
        """One result from its JSON text, or a list of them from a JSON array (parsed with the
        cyclic collector paused: a batch's forms are many small acyclic containers)."""
        if text[:1] != "[":
            return cls._of(_scan(text, 0)[0])
        enabled = gc.isenabled()
        gc.disable()
        try:
            forms = _scan(text, 0)[0]
        finally:
            if enabled:
                gc.enable()
        return cls._many(forms)

    def __setattr__(self, name: str, value: Any) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild, (type(self), self._f))

    def to_dict(self) -> dict[str, Any]:
        """Core's serde form: plain dicts, lists and scalars, as JSON would hold them."""
        out: dict[str, Any] = _plain(self._f)
        return out

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._f == self._f

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        form = json.dumps(self._f, ensure_ascii=False, separators=(",", ":"))
        return f"<leadrail.{type(self).__name__} {form}>"


_set_form = _Form.__dict__["_f"].__set__


def _copy(x: Any) -> Any:
    """A dict attribute: a copy (None stays None)."""
    return None if x is None else _plain(x)


def _one(cls: Any) -> Callable[[Any], Any]:
    """Reads a nested result (None stays None)."""
    of = cls._of
    return lambda form: None if form is None else of(form)


class _Get(Generic[T]):
    """An attribute: the form's value under its name (None where the form leaves it out), or
    what `read` makes of it (a nested result, a list of them, a copy), made on each read."""

    __slots__ = ("key", "read")

    def __init__(self, read: Optional[Callable[[Any], Any]] = None) -> None:
        self.read = read

    def __set_name__(self, owner: Any, name: str) -> None:
        self.key = name

    @overload
    def __get__(self, obj: None, owner: Any = None) -> _Get[T]: ...
    @overload
    def __get__(self, obj: _Form, owner: Any = None) -> T: ...
    def __get__(self, obj: Optional[_Form], owner: Any = None) -> Any:
        if obj is None:
            return self
        v = obj._f.get(self.key)
        return v if self.read is None else self.read(v)

    def __set__(self, obj: _Form, value: NoReturn) -> None:
        raise FrozenInstanceError(f"cannot assign to field {self.key!r}")  # (read-only, typed so)


class Label(_Form):
    """A labelled range of a report."""

    __slots__ = ()

    message: _Get[str] = _Get()
    """What the label says (may be empty)."""
    line: _Get[int] = _Get()
    column: _Get[int] = _Get()
    end_line: _Get[int] = _Get()
    end_column: _Get[int] = _Get()


class Report(_Form):
    """An error report: a batch item's error (an exception's `diagnostics` hold the same, as dicts)."""

    __slots__ = ()

    code: _Get[str] = _Get()
    """A stable code, one of `error_codes()`."""
    message: _Get[str] = _Get()
    help: _Get[Optional[str]] = _Get()
    """How to fix it, if known."""
    severity: _Get[Literal["error", "warning"]] = _Get()
    file: _Get[Optional[str]] = _Get()
    line: _Get[int] = _Get()
    """1-based line (0 when the report has no position)."""
    column: _Get[int] = _Get()
    """1-based column (0 when the report has no position)."""
    labels: _Get[list[Label]] = _Get(Label._many)
    """The labelled ranges; the first is the primary one."""
    record: _Get[Optional[str]] = _Get()
    """The record (lead or partner id, or `#row`) a data error is about."""
    field: _Get[Optional[str]] = _Get()
    """The field a data error is about."""


class RulesetInfo(_Form):
    """The ruleset a decision came from."""

    __slots__ = ()

    name: _Get[str] = _Get()
    version: _Get[int] = _Get()
    content_hash: _Get[str] = _Get()


class RuleTrace(_Form):
    """One rule that was tried."""

    __slots__ = ()

    rule: _Get[str] = _Get()
    matched: _Get[bool] = _Get()
    """Whether its `when` matched."""
    eligible: _Get[int] = _Get()
    """How many partners were eligible."""
    outcome: _Get[Literal["decided", "next", "queue", "parent"]] = _Get()


class Exclusion(_Form):
    """Partners excluded for one reason."""

    __slots__ = ()

    reason: _Get[str] = _Get()
    """`excluded by host`, an implicit guard, or a require's label."""
    partners: _Get[list[str]] = _Get(_copy)
    """The partner ids, ascending."""


class Candidate(_Form):
    """An eligible partner and how it ranked."""

    __slots__ = ()

    partner: _Get[str] = _Get()
    score: _Get[Optional[float]] = _Get()
    """Its score (None when the rank was null or not a number)."""
    utilisation: _Get[Optional[float]] = _Get()
    """Its utilisation (with `balance workload`), else None."""
    position: _Get[int] = _Get()
    """Its position in the order, from 1."""


class Explanation(_Form):
    """Why a lead went where it went."""

    __slots__ = ()

    ruleset: _Get[RulesetInfo] = _Get(_one(RulesetInfo))
    rules: _Get[list[RuleTrace]] = _Get(RuleTrace._many)
    """Every rule tried, in order."""
    excluded: _Get[list[Exclusion]] = _Get(Exclusion._many)
    """The partners the deciding rule excluded, grouped by reason in check order."""
    candidates: _Get[list[Candidate]] = _Get(Candidate._many)
    """The eligible partners in rank order."""
    tie_break: _Get[Optional[Literal["score", "workload", "weighted round robin", "least recently assigned", "id"]]] = _Get()
    """What separated the first candidate from the second (None with fewer than two)."""


class SlaStatus(_Form):
    """One SLA instance, as of the evaluation's `now` (instants and durations in ms)."""

    __slots__ = ()

    sla: _Get[str] = _Get()
    instance: _Get[str] = _Get()
    """The policy name, or `name#n` for the n-th restart."""
    index: _Get[int] = _Get()
    stage: _Get[Optional[str]] = _Get()
    """The stage (per-stage policies), else None."""
    partner: _Get[Optional[str]] = _Get()
    """The partner assigned when the instance started, if any."""
    state: _Get[Literal["running", "paused", "met", "breached", "cancelled"]] = _Get()
    started_at: _Get[int] = _Get()
    ended_at: _Get[Optional[int]] = _Get()
    goal_ms: _Get[int] = _Get()
    elapsed_ms: _Get[int] = _Get()
    remaining_ms: _Get[int] = _Get()
    """`max(goal - elapsed, 0)`."""
    due_at: _Get[Optional[int]] = _Get()
    """When the goal runs (or ran) out, if known."""
    next_at: _Get[Optional[int]] = _Get()
    """The next warning or due instant after `now` of a running instance."""


class DueAction(_Form):
    """An action now due, to be executed once by the host."""

    __slots__ = ()

    id: _Get[str] = _Get()
    """The stable id (e.g. `accept:warn:75`)."""
    sla: _Get[str] = _Get()
    instance: _Get[str] = _Get()
    partner: _Get[Optional[str]] = _Get()
    at: _Get[int] = _Get()
    """When it became due (ms since the epoch)."""
    kind: _Get[Literal["warning", "breach"]] = _Get()
    threshold: _Get[Optional[float]] = _Get()
    """A warning's threshold (fraction of the goal), else None."""
    action: _Get[Optional[dict[str, Any]]] = _Get(_copy)
    """A breach's action: `{"action": "remind"}`, `{"action": "escalate", "role": ...}`,
    `{"action": "alert", "message": ...}` or `{"action": "retract_and_reroute"}`, else None."""


class RerouteExclusion(_Form):
    """One partner a re-route must exclude."""

    __slots__ = ()

    partner: _Get[str] = _Get()
    reason: _Get[dict[str, Any]] = _Get(_copy)
    """`{"kind": "rejected", ...}` or `{"kind": "timed_out", ...}`."""


class ReroutePlan(_Form):
    """What to do for a due re-route action."""

    __slots__ = ()

    trigger: _Get[DueAction] = _Get(_one(DueAction))
    """The due action that triggers the re-route."""
    retract: _Get[Optional[str]] = _Get()
    """The partner to retract the lead from, if it still holds it."""
    exclude: _Get[list[RerouteExclusion]] = _Get(RerouteExclusion._many)


class SlaEvaluation(_Form):
    """One timeline's SLA evaluation and, when a re-route action is due, the re-route.

    `to_dict()`: core's serde form (`lead`, `slas`, `due`, `next_deadline`?, `cursor`, `reroute`?)."""

    __slots__ = ()

    lead: _Get[str] = _Get()
    slas: _Get[list[SlaStatus]] = _Get(SlaStatus._many)
    """Every instance of every policy."""
    due: _Get[list[DueAction]] = _Get(DueAction._many)
    """The actions due now and not yet executed."""
    next_deadline: _Get[Optional[int]] = _Get()
    cursor: _Get[int] = _Get()
    """Pass as `done` to the next evaluation to get each action once."""
    reroute: _Get[Optional[ReroutePlan]] = _Get(_one(ReroutePlan))


class SlaResult(_Form):
    """One timeline's result in a batch evaluation: `ok` (its evaluation) or `error`."""

    __slots__ = ()

    ok: _Get[Optional[SlaEvaluation]] = _Get(_one(SlaEvaluation))
    error: _Get[Optional[Report]] = _Get(_one(Report))

    def is_ok(self) -> bool:
        """Whether the timeline was evaluated."""
        return self._f.get("ok") is not None
