"""Deal registration: `register` checks deals against the registry (registrations, accounts, leads);
`Registry` holds one for routing leads with lead conflicts.

Exported by `leadrail`. The verdicts and decisions are computed by the Rust core; this module
only passes the arguments and gives the answers typed: `Verdict`, `Conflict` and `LeadRoute`
(frozen classes), whose `to_dict()` is core's serde form::

    (v,) = leadrail.register(engine, registry, [deal], now)
    v.outcome, v.holder, v.conflicts[0].rule

    registry = leadrail.Registry(records)  # built once, changed with add / remove / expire
    saved = registry.records()  # read back (e.g. after assign and expire), to persist
    r = registry.assign(network, lead, now)  # routed as `on lead_conflict` says, recorded
    r.decision.outcome, r.conflict.holder if r.conflict else None
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Mapping, Optional, Union

from . import _leadrail
from ._types import Instant


@dataclass(frozen=True, eq=False)
class Conflict:
    """One registry record a deal matched, and why (core's `dealreg::Conflict`)."""

    id: str
    kind: Literal["registration", "account", "lead"]
    partner: str
    """The record's partner (the direct owner of an account)."""
    rule: Literal["domain", "name", "postal_name", "email"]
    """The strongest rule that matched."""
    rules: list[Literal["domain", "name", "postal_name", "email"]]
    outcome: Literal["auto_approve", "review", "reject"]
    """What this conflict alone decides."""
    score: float
    """The company-name similarity, 0 to 1."""
    name: dict[str, Any]
    """`{"score", "words": [{"a", "b", "score"}], "legal_conflict"}`."""
    normalized: str
    """The record's company name, normalised."""
    domain: Optional[str]
    postal: Optional[str]
    product_lines: list[str]
    protected_until: Optional[int]
    _form: dict[str, Any] = field(repr=False)

    @classmethod
    def _of(cls, d: dict[str, Any]) -> Conflict:
        return cls(
            d["id"], d["kind"], d["partner"], d["rule"], list(d["rules"]), d["outcome"],
            d["name"]["score"], copy.deepcopy(d["name"]), d["normalized"], d.get("domain"),
            d.get("postal"), list(d.get("product_lines", [])), d.get("protected_until"), d,
        )

    def to_dict(self) -> dict[str, Any]:
        """Core's serde form (plain dicts, lists, numbers, text and None)."""
        return copy.deepcopy(self._form)


@dataclass(frozen=True, eq=False, repr=False)
class Verdict:
    """The verdict on one deal (core's `dealreg::Verdict`)."""

    id: str
    outcome: Literal["auto_approve", "review", "reject"]
    reason: str
    normalized: str
    """The deal's company name, normalised."""
    domain: Optional[str]
    holder: Optional[str]
    """The partner that holds the account (the strongest conflict's)."""
    conflicts: list[Conflict]
    """Every matching record, the strongest first."""
    _form: dict[str, Any]

    @classmethod
    def _of(cls, d: dict[str, Any]) -> Verdict:
        conflicts = [Conflict._of(c) for c in d["conflicts"]]
        return cls(d["id"], d["outcome"], d["reason"], d["normalized"], d.get("domain"), d.get("holder"), conflicts, d)

    def to_dict(self) -> dict[str, Any]:
        """Core's serde form (plain dicts, lists, numbers, text and None)."""
        return copy.deepcopy(self._form)

    def __repr__(self) -> str:
        return f"Verdict(id={json.dumps(self.id, ensure_ascii=False)}, outcome=\"{self.outcome}\")"


def register(
    engine: _leadrail.Engine,
    registry: Iterable[Mapping[str, Any]],
    deals: Iterable[Mapping[str, Any]],
    now: Instant,
    policy: Optional[str] = None,
    submit: bool = False,
) -> list[Verdict]:
    """Checks each deal against the registry (registrations, CRM accounts, open leads) under
    the engine's registration policy `policy` (default: the first) at `now`; with `submit`,
    submits them in order. Raises `DataError` naming the record and the field."""
    return [Verdict._of(v) for v in _leadrail.register(engine, registry, deals, now, policy, submit)]


Exclude = Union[str, Iterable[str], None]
"""Partner ids that never get the lead: one id, or any iterable of ids."""


@dataclass(frozen=True, eq=False, repr=False)
class LeadRoute:
    """A lead's routing decision and its conflict, if it has one (core's
    `host::lead_conflict::ConflictDecision`)."""

    decision: _leadrail.Decision
    """Where the lead goes (rule `lead conflict` when the policy's `on lead_conflict` decided)."""
    conflict: Optional[Verdict]
    """The lead's check against the registry when it conflicts (`holder`: the partner that
    holds the account), else None."""

    def to_dict(self) -> dict[str, Any]:
        """Core's serde form: `{"decision": ..., "conflict": ...}` (`conflict` only when there is one)."""
        d = {"decision": self.decision.to_dict()}
        if self.conflict is not None:
            d["conflict"] = self.conflict.to_dict()
        return d

    def __repr__(self) -> str:
        holder = self.conflict.holder if self.conflict else None
        return f"LeadRoute(outcome={self.decision.outcome!r}, rule={self.decision.rule!r}, holder={holder!r})"


class Registry:
    """Registrations, CRM accounts and open leads (the records `register` reads), held once
    for routing leads: each lead is checked against it and routed as the engine's `on
    lead_conflict` says (to the partner holding the account, to a review queue, or by the
    rules), its conflict reported. Built once (its index is not rebuilt per call), changed one
    record at a time with `add` and `remove`, registrations past their protection marked
    expired with `expire`, read back with `get` and `records`. Raises `DataError` naming the record and the field."""

    def __init__(self, records: Iterable[Mapping[str, Any]] = ()) -> None:
        self._native = _leadrail.Registry(list(records))

    def add(self, record: Mapping[str, Any]) -> bool:
        """Adds a record, or replaces the one of the same id (then returns True)."""
        return self._native.add(record)

    def remove(self, id: str) -> bool:
        """Removes the record of `id`; False when there was none."""
        return self._native.remove(id)

    def __len__(self) -> int:
        return len(self._native)

    def expire(self, now: Instant) -> list[str]:
        """Marks expired every approved registration whose protection ended at or before `now`
        (its `protected_until` <= `now`: the end is exclusive) and returns their ids, earliest
        end first; a registration expired once is not returned again. An expired registration
        no longer conflicts with deals or leads, whatever instant they are checked at. Raises
        `LeadrailError` (code `leadrail::request::invalid`) for a bad `now`."""
        return self._native.expire(now)

    def get(self, id: str) -> Optional[dict[str, Any]]:
        """The record of `id` as a dict in the form `Registry(...)` and `add` read (the field
        names of a registration, instants as ms since the epoch, `estimated_value` as exact
        decimal text, absent optional fields left out; `kind`, `extensions` and `status`
        always given), with its current status (`"expired"` after `expire`); None when there
        is none."""
        return self._native.get(id)

    def records(self) -> list[dict[str, Any]]:
        """Every record as `get` gives it, in the order added (a record replaced by `add` moves
        to the end; a lead recorded by `assign` comes last): the registry's state, to persist
        after `assign` and `expire`; `Registry(registry.records())` checks and routes alike."""
        return self._native.records()

    def route_batch(
        self,
        network: _leadrail.Network,
        leads: Iterable[Mapping[str, Any]],
        now: Instant,
        exclude: Exclude = None,
        assign: bool = False,
    ) -> list[LeadRoute]:
        """Routes the leads in order at `now`, never to a partner of `exclude`. Without
        `assign` nothing changes (what if); with `assign` each assignment is recorded as
        `network.assign` records it (the partner holds the lead until `network.release`) and
        each lead given to a partner joins the registry as an open lead of that partner. A bad
        lead, or with `assign` one a partner holds or one given twice, raises and changes
        nothing. Runs without the GIL."""
        ids = [exclude] if isinstance(exclude, str) else list(exclude or ())
        out = self._native.route(network, list(leads), now, ids, assign)
        return [LeadRoute(d, None if c is None else Verdict._of(c)) for d, c in out]

    def route(self, network: _leadrail.Network, lead: Mapping[str, Any], now: Instant, exclude: Exclude = None) -> LeadRoute:
        """Routes one lead without changing anything (what if)."""
        return self.route_batch(network, [lead], now, exclude)[0]

    def assign(self, network: _leadrail.Network, lead: Mapping[str, Any], now: Instant, exclude: Exclude = None) -> LeadRoute:
        """Routes one lead and records it (see `route_batch`)."""
        return self.route_batch(network, [lead], now, exclude, assign=True)[0]
