"""The results read once, whole: error reports, explanations and SLA evaluations.

Exported by `leadrail`. Frozen classes built from core's serde form (the native module gives
them as dicts), which `to_dict()` gives back; equal when their forms are. The results read many
at a time and lazily (`RouteResults`, `RouteResult`, `Decision`, `Outcome`, `StateRead`) are the
native module's: a `Decision`'s `explanation` and a `RouteResult`'s `error` are made here.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal, Mapping, Optional


class _Form:
    """Built from core's serde form (`_of`), which `to_dict()` gives back.

    `_nested`: how the attributes not taken as they are are read: a class of results (or a list
    of one: each item), or `dict` / `list` (a copy; their items are scalars). The others are the
    form's values, None where the form leaves them out."""

    _nested: ClassVar[Mapping[str, Any]] = {}
    _plan: ClassVar[tuple[tuple[str, ...], tuple[tuple[str, Any, Any], ...]]]
    """The attributes' names, and how `_of` reads those it does not take as they are (made once
    per class, by `_make_plan`)."""
    _form: dict[str, Any]
    """The serde form (not a field of the dataclasses: `_of` sets it)."""

    @classmethod
    def _of(cls, d: dict[str, Any]) -> Any:
        names, read = cls.__dict__.get("_plan") or cls._make_plan()
        attrs = dict.fromkeys(names)
        attrs.update(d)
        for name, one, many in read:
            v = attrs[name]
            if many is not None:
                attrs[name] = [many(x) for x in v or ()]
            elif v is not None:
                attrs[name] = one(v)
        attrs["_form"] = d
        # (as the dataclass's `__init__` would set them, without its per-field `__setattr__`)
        obj = object.__new__(cls)
        obj.__dict__.update(attrs)
        return obj

    @classmethod
    def _make_plan(cls) -> tuple[tuple[str, ...], tuple[tuple[str, Any, Any], ...]]:
        """The attributes' names; and for each of `_nested`, what reads its value (`one`) or
        each item of its list (`many`)."""
        names = tuple(f.name for f in fields(cls) if not f.name.startswith("_"))  # type: ignore[arg-type]
        read: list[tuple[str, Any, Any]] = []
        for name, kind in cls._nested.items():
            if isinstance(kind, list):
                read.append((name, None, kind[0]._of))
            else:
                read.append((name, getattr(kind, "_of", kind), None))
        cls._plan = (names, tuple(read))
        return cls._plan

    def to_dict(self) -> dict[str, Any]:
        """Core's serde form: plain dicts, lists and scalars, as JSON would hold them."""
        return copy.deepcopy(self._form)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other._form == self._form

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        form = json.dumps(self._form, ensure_ascii=False, separators=(",", ":"))
        return f"<leadrail.{type(self).__name__} {form}>"


@dataclass(frozen=True, eq=False, repr=False)
class Label(_Form):
    """A labelled range of a report."""

    message: str
    """What the label says (may be empty)."""
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True, eq=False, repr=False)
class Report(_Form):
    """An error report: a batch item's error (an exception's `diagnostics` hold the same, as dicts)."""

    _nested: ClassVar[Mapping[str, Any]] = {"labels": [Label]}
    code: str
    """A stable code, one of `error_codes()`."""
    message: str
    help: Optional[str]
    """How to fix it, if known."""
    severity: Literal["error", "warning"]
    file: Optional[str]
    line: int
    """1-based line (0 when the report has no position)."""
    column: int
    """1-based column (0 when the report has no position)."""
    labels: list[Label]
    """The labelled ranges; the first is the primary one."""
    record: Optional[str]
    """The record (lead or partner id, or `#row`) a data error is about."""
    field: Optional[str]
    """The field a data error is about."""


@dataclass(frozen=True, eq=False, repr=False)
class RulesetInfo(_Form):
    """The ruleset a decision came from."""

    name: str
    version: int
    content_hash: str


@dataclass(frozen=True, eq=False, repr=False)
class RuleTrace(_Form):
    """One rule that was tried."""

    rule: str
    matched: bool
    """Whether its `when` matched."""
    eligible: int
    """How many partners were eligible."""
    outcome: Literal["decided", "next", "queue", "parent"]


@dataclass(frozen=True, eq=False, repr=False)
class Exclusion(_Form):
    """Partners excluded for one reason."""

    _nested: ClassVar[Mapping[str, Any]] = {"partners": list}
    reason: str
    """`excluded by host`, an implicit guard, or a require's label."""
    partners: list[str]
    """The partner ids, ascending."""


@dataclass(frozen=True, eq=False, repr=False)
class Candidate(_Form):
    """An eligible partner and how it ranked."""

    partner: str
    score: Optional[float]
    """Its score (None when the rank was null or not a number)."""
    utilisation: Optional[float]
    """Its utilisation (with `balance workload`), else None."""
    position: int
    """Its position in the order, from 1."""


@dataclass(frozen=True, eq=False, repr=False)
class Explanation(_Form):
    """Why a lead went where it went."""

    _nested: ClassVar[Mapping[str, Any]] = {
        "ruleset": RulesetInfo, "rules": [RuleTrace], "excluded": [Exclusion], "candidates": [Candidate],
    }
    ruleset: RulesetInfo
    rules: list[RuleTrace]
    """Every rule tried, in order."""
    excluded: list[Exclusion]
    """The partners the deciding rule excluded, grouped by reason in check order."""
    candidates: list[Candidate]
    """The eligible partners in rank order."""
    tie_break: Optional[Literal["score", "workload", "weighted round robin", "least recently assigned", "id"]]
    """What separated the first candidate from the second (None with fewer than two)."""


@dataclass(frozen=True, eq=False, repr=False)
class SlaStatus(_Form):
    """One SLA instance, as of the evaluation's `now` (instants and durations in ms)."""

    sla: str
    instance: str
    """The policy name, or `name#n` for the n-th restart."""
    index: int
    stage: Optional[str]
    """The stage (per-stage policies), else None."""
    partner: Optional[str]
    """The partner assigned when the instance started, if any."""
    state: Literal["running", "paused", "met", "breached", "cancelled"]
    started_at: int
    ended_at: Optional[int]
    goal_ms: int
    elapsed_ms: int
    remaining_ms: int
    """`max(goal - elapsed, 0)`."""
    due_at: Optional[int]
    """When the goal runs (or ran) out, if known."""
    next_at: Optional[int]
    """The next warning or due instant after `now` of a running instance."""


@dataclass(frozen=True, eq=False, repr=False)
class DueAction(_Form):
    """An action now due, to be executed once by the host."""

    _nested: ClassVar[Mapping[str, Any]] = {"action": dict}
    id: str
    """The stable id (e.g. `accept:warn:75`)."""
    sla: str
    instance: str
    partner: Optional[str]
    at: int
    """When it became due (ms since the epoch)."""
    kind: Literal["warning", "breach"]
    threshold: Optional[float]
    """A warning's threshold (fraction of the goal), else None."""
    action: Optional[dict[str, Any]]
    """A breach's action: `{"action": "remind"}`, `{"action": "escalate", "role": ...}`,
    `{"action": "alert", "message": ...}` or `{"action": "retract_and_reroute"}`, else None."""


@dataclass(frozen=True, eq=False, repr=False)
class RerouteExclusion(_Form):
    """One partner a re-route must exclude."""

    _nested: ClassVar[Mapping[str, Any]] = {"reason": dict}
    partner: str
    reason: dict[str, Any]
    """`{"kind": "rejected", ...}` or `{"kind": "timed_out", ...}`."""


@dataclass(frozen=True, eq=False, repr=False)
class ReroutePlan(_Form):
    """What to do for a due re-route action."""

    _nested: ClassVar[Mapping[str, Any]] = {"trigger": DueAction, "exclude": [RerouteExclusion]}
    trigger: DueAction
    """The due action that triggers the re-route."""
    retract: Optional[str]
    """The partner to retract the lead from, if it still holds it."""
    exclude: list[RerouteExclusion]


@dataclass(frozen=True, eq=False, repr=False)
class SlaEvaluation(_Form):
    """One timeline's SLA evaluation and, when a re-route action is due, the re-route.

    `to_dict()`: core's serde form (`lead`, `slas`, `due`, `next_deadline`?, `cursor`, `reroute`?)."""

    _nested: ClassVar[Mapping[str, Any]] = {"slas": [SlaStatus], "due": [DueAction], "reroute": ReroutePlan}
    lead: str
    slas: list[SlaStatus]
    """Every instance of every policy."""
    due: list[DueAction]
    """The actions due now and not yet executed."""
    next_deadline: Optional[int]
    cursor: int
    """Pass as `done` to the next evaluation to get each action once."""
    reroute: Optional[ReroutePlan]


@dataclass(frozen=True, eq=False, repr=False)
class SlaResult(_Form):
    """One timeline's result in a batch evaluation: `ok` (its evaluation) or `error`."""

    _nested: ClassVar[Mapping[str, Any]] = {"ok": SlaEvaluation, "error": Report}
    ok: Optional[SlaEvaluation]
    error: Optional[Report]

    def is_ok(self) -> bool:
        """Whether the timeline was evaluated."""
        return self.ok is not None
