"""A portal's single-lead flow under `mypy --strict` (the tests check it, and that a misspelt
field fails it): rows typed as TypedDicts, one lead assigned and later released, a partner
changed on the live network, errors caught by class."""

from typing import TypedDict

import leadrail


class PartnerRow(TypedDict):
    id: str
    territories: list[str]
    tier: str
    capacity: int
    active_leads: int


class LeadRow(TypedDict):
    id: str
    region: str


partners: list[PartnerRow] = [
    {"id": "P1", "territories": ["US-TX"], "tier": "gold", "capacity": 10, "active_leads": 2},
    {"id": "P2", "territories": ["US"], "tier": "silver", "capacity": 5, "active_leads": 4},
]
engine = leadrail.Engine.from_file("quickstart.rail")
network = engine.network(partners)

lead: LeadRow = {"id": "L1", "region": "US-TX:752"}
explained = network.assign(lead, "2026-11-24T09:00:00Z", explain=True)
best = [c.partner for c in explained.explanation.candidates]
holder: str | None = network.holder(lead["id"])
network.update_partner({**partners[1], "capacity": 6})
freed: str = network.release(lead["id"])
try:
    network.release(lead["id"])
except leadrail.DataError as e:
    print(e.code, e.record)
try:
    leadrail.Engine.from_file("missing.rail")
except FileNotFoundError as e:
    print(e.filename)
print(explained.outcome.id, best, holder, freed)
