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
from typing import Any, Literal, Optional

_scan: Any = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # (the C scanner)
_new = object.__new__


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
    """A dict or list attribute: a copy (None stays None)."""
    return None if x is None else _plain(x)


class Label(_Form):
    """A labelled range of a report."""

    __slots__ = ()

    @property
    def message(self) -> str:
        """What the label says (may be empty)."""
        v: str = self._f["message"]
        return v

    @property
    def line(self) -> int:
        v: int = self._f["line"]
        return v

    @property
    def column(self) -> int:
        v: int = self._f["column"]
        return v

    @property
    def end_line(self) -> int:
        v: int = self._f["end_line"]
        return v

    @property
    def end_column(self) -> int:
        v: int = self._f["end_column"]
        return v


class Report(_Form):
    """An error report: a batch item's error (an exception's `diagnostics` hold the same, as dicts)."""

    __slots__ = ()

    @property
    def code(self) -> str:
        """A stable code, one of `error_codes()`."""
        v: str = self._f["code"]
        return v

    @property
    def message(self) -> str:
        v: str = self._f["message"]
        return v

    @property
    def help(self) -> Optional[str]:
        """How to fix it, if known."""
        v: Optional[str] = self._f.get("help")
        return v

    @property
    def severity(self) -> Literal["error", "warning"]:
        v: Literal["error", "warning"] = self._f["severity"]
        return v

    @property
    def file(self) -> Optional[str]:
        v: Optional[str] = self._f.get("file")
        return v

    @property
    def line(self) -> int:
        """1-based line (0 when the report has no position)."""
        v: int = self._f["line"]
        return v

    @property
    def column(self) -> int:
        """1-based column (0 when the report has no position)."""
        v: int = self._f["column"]
        return v

    @property
    def labels(self) -> list[Label]:
        """The labelled ranges; the first is the primary one."""
        return Label._many(self._f.get("labels"))

    @property
    def record(self) -> Optional[str]:
        """The record (lead or partner id, or `#row`) a data error is about."""
        v: Optional[str] = self._f.get("record")
        return v

    @property
    def field(self) -> Optional[str]:
        """The field a data error is about."""
        v: Optional[str] = self._f.get("field")
        return v


class RulesetInfo(_Form):
    """The ruleset a decision came from."""

    __slots__ = ()

    @property
    def name(self) -> str:
        v: str = self._f["name"]
        return v

    @property
    def version(self) -> int:
        v: int = self._f["version"]
        return v

    @property
    def content_hash(self) -> str:
        v: str = self._f["content_hash"]
        return v


class RuleTrace(_Form):
    """One rule that was tried."""

    __slots__ = ()

    @property
    def rule(self) -> str:
        v: str = self._f["rule"]
        return v

    @property
    def matched(self) -> bool:
        """Whether its `when` matched."""
        v: bool = self._f["matched"]
        return v

    @property
    def eligible(self) -> int:
        """How many partners were eligible."""
        v: int = self._f["eligible"]
        return v

    @property
    def outcome(self) -> Literal["decided", "next", "queue", "parent"]:
        v: Literal["decided", "next", "queue", "parent"] = self._f["outcome"]
        return v


class Exclusion(_Form):
    """Partners excluded for one reason."""

    __slots__ = ()

    @property
    def reason(self) -> str:
        """`excluded by host`, an implicit guard, or a require's label."""
        v: str = self._f["reason"]
        return v

    @property
    def partners(self) -> list[str]:
        """The partner ids, ascending."""
        return list(self._f.get("partners") or ())


class Candidate(_Form):
    """An eligible partner and how it ranked."""

    __slots__ = ()

    @property
    def partner(self) -> str:
        v: str = self._f["partner"]
        return v

    @property
    def score(self) -> Optional[float]:
        """Its score (None when the rank was null or not a number)."""
        v: Optional[float] = self._f.get("score")
        return v

    @property
    def utilisation(self) -> Optional[float]:
        """Its utilisation (with `balance workload`), else None."""
        v: Optional[float] = self._f.get("utilisation")
        return v

    @property
    def position(self) -> int:
        """Its position in the order, from 1."""
        v: int = self._f["position"]
        return v


class Explanation(_Form):
    """Why a lead went where it went."""

    __slots__ = ()

    @property
    def ruleset(self) -> RulesetInfo:
        v: RulesetInfo = RulesetInfo._of(self._f["ruleset"])
        return v

    @property
    def rules(self) -> list[RuleTrace]:
        """Every rule tried, in order."""
        return RuleTrace._many(self._f.get("rules"))

    @property
    def excluded(self) -> list[Exclusion]:
        """The partners the deciding rule excluded, grouped by reason in check order."""
        return Exclusion._many(self._f.get("excluded"))

    @property
    def candidates(self) -> list[Candidate]:
        """The eligible partners in rank order."""
        return Candidate._many(self._f.get("candidates"))

    @property
    def tie_break(self) -> Optional[Literal["score", "workload", "weighted round robin", "least recently assigned", "id"]]:
        """What separated the first candidate from the second (None with fewer than two)."""
        v: Optional[Literal["score", "workload", "weighted round robin", "least recently assigned", "id"]] = self._f.get("tie_break")
        return v


class SlaStatus(_Form):
    """One SLA instance, as of the evaluation's `now` (instants and durations in ms)."""

    __slots__ = ()

    @property
    def sla(self) -> str:
        v: str = self._f["sla"]
        return v

    @property
    def instance(self) -> str:
        """The policy name, or `name#n` for the n-th restart."""
        v: str = self._f["instance"]
        return v

    @property
    def index(self) -> int:
        v: int = self._f["index"]
        return v

    @property
    def stage(self) -> Optional[str]:
        """The stage (per-stage policies), else None."""
        v: Optional[str] = self._f.get("stage")
        return v

    @property
    def partner(self) -> Optional[str]:
        """The partner assigned when the instance started, if any."""
        v: Optional[str] = self._f.get("partner")
        return v

    @property
    def state(self) -> Literal["running", "paused", "met", "breached", "cancelled"]:
        v: Literal["running", "paused", "met", "breached", "cancelled"] = self._f["state"]
        return v

    @property
    def started_at(self) -> int:
        v: int = self._f["started_at"]
        return v

    @property
    def ended_at(self) -> Optional[int]:
        v: Optional[int] = self._f.get("ended_at")
        return v

    @property
    def goal_ms(self) -> int:
        v: int = self._f["goal_ms"]
        return v

    @property
    def elapsed_ms(self) -> int:
        v: int = self._f["elapsed_ms"]
        return v

    @property
    def remaining_ms(self) -> int:
        """`max(goal - elapsed, 0)`."""
        v: int = self._f["remaining_ms"]
        return v

    @property
    def due_at(self) -> Optional[int]:
        """When the goal runs (or ran) out, if known."""
        v: Optional[int] = self._f.get("due_at")
        return v

    @property
    def next_at(self) -> Optional[int]:
        """The next warning or due instant after `now` of a running instance."""
        v: Optional[int] = self._f.get("next_at")
        return v


class DueAction(_Form):
    """An action now due, to be executed once by the host."""

    __slots__ = ()

    @property
    def id(self) -> str:
        """The stable id (e.g. `accept:warn:75`)."""
        v: str = self._f["id"]
        return v

    @property
    def sla(self) -> str:
        v: str = self._f["sla"]
        return v

    @property
    def instance(self) -> str:
        v: str = self._f["instance"]
        return v

    @property
    def partner(self) -> Optional[str]:
        v: Optional[str] = self._f.get("partner")
        return v

    @property
    def at(self) -> int:
        """When it became due (ms since the epoch)."""
        v: int = self._f["at"]
        return v

    @property
    def kind(self) -> Literal["warning", "breach"]:
        v: Literal["warning", "breach"] = self._f["kind"]
        return v

    @property
    def threshold(self) -> Optional[float]:
        """A warning's threshold (fraction of the goal), else None."""
        v: Optional[float] = self._f.get("threshold")
        return v

    @property
    def action(self) -> Optional[dict[str, Any]]:
        """A breach's action: `{"action": "remind"}`, `{"action": "escalate", "role": ...}`,
        `{"action": "alert", "message": ...}` or `{"action": "retract_and_reroute"}`, else None."""
        v: Optional[dict[str, Any]] = _copy(self._f.get("action"))
        return v


class RerouteExclusion(_Form):
    """One partner a re-route must exclude."""

    __slots__ = ()

    @property
    def partner(self) -> str:
        v: str = self._f["partner"]
        return v

    @property
    def reason(self) -> dict[str, Any]:
        """`{"kind": "rejected", ...}` or `{"kind": "timed_out", ...}`."""
        v: dict[str, Any] = _copy(self._f["reason"])
        return v


class ReroutePlan(_Form):
    """What to do for a due re-route action."""

    __slots__ = ()

    @property
    def trigger(self) -> DueAction:
        """The due action that triggers the re-route."""
        v: DueAction = DueAction._of(self._f["trigger"])
        return v

    @property
    def retract(self) -> Optional[str]:
        """The partner to retract the lead from, if it still holds it."""
        v: Optional[str] = self._f.get("retract")
        return v

    @property
    def exclude(self) -> list[RerouteExclusion]:
        return RerouteExclusion._many(self._f.get("exclude"))


class SlaEvaluation(_Form):
    """One timeline's SLA evaluation and, when a re-route action is due, the re-route.

    `to_dict()`: core's serde form (`lead`, `slas`, `due`, `next_deadline`?, `cursor`, `reroute`?)."""

    __slots__ = ()

    @property
    def lead(self) -> str:
        v: str = self._f["lead"]
        return v

    @property
    def slas(self) -> list[SlaStatus]:
        """Every instance of every policy."""
        return SlaStatus._many(self._f.get("slas"))

    @property
    def due(self) -> list[DueAction]:
        """The actions due now and not yet executed."""
        return DueAction._many(self._f.get("due"))

    @property
    def next_deadline(self) -> Optional[int]:
        v: Optional[int] = self._f.get("next_deadline")
        return v

    @property
    def cursor(self) -> int:
        """Pass as `done` to the next evaluation to get each action once."""
        v: int = self._f["cursor"]
        return v

    @property
    def reroute(self) -> Optional[ReroutePlan]:
        f = self._f.get("reroute")
        return None if f is None else ReroutePlan._of(f)


class SlaResult(_Form):
    """One timeline's result in a batch evaluation: `ok` (its evaluation) or `error`."""

    __slots__ = ()

    @property
    def ok(self) -> Optional[SlaEvaluation]:
        f = self._f.get("ok")
        return None if f is None else SlaEvaluation._of(f)

    @property
    def error(self) -> Optional[Report]:
        f = self._f.get("error")
        return None if f is None else Report._of(f)

    def is_ok(self) -> bool:
        """Whether the timeline was evaluated."""
        return self._f.get("ok") is not None
