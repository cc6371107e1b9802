"""Deal registration: `register` checks deals against the registry (registrations, accounts, leads).

Exported by `leadrail`. The verdicts are computed by the Rust core; this module only passes the
arguments and gives the answers typed: `Verdict` and `Conflict` (frozen classes), whose
`to_dict()` is core's serde form::

    (v,) = leadrail.register(engine, registry, [deal], now)
    v.outcome, v.holder, v.conflicts[0].rule
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Mapping, Optional

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
