"""Typed results under `mypy --strict`: a misspelt attribute is a type error (the tests check it)."""

import leadrail

engine = leadrail.Engine.from_file("quickstart.rail")
network = engine.network([{"id": "P1", "territories": ["US"], "tier": "gold", "capacity": 9, "active_leads": 0}])


def partner_of(result: leadrail.RouteResult) -> str | None:
    decision = result.ok
    if decision is None:
        return None
    return decision.outcome.id


results: leadrail.RouteResults = network.route_batch([{"id": "L1", "region": "US-TX"}, {"id": "L2"}], 0)
print([partner_of(r) for r in results], len(results), results[-1].error is not None)
decision = network.route({"id": "L3", "region": "DE"}, 0, explain=True)
if decision.explanation is not None:
    print(decision.outcome.kind, decision.outcome.name, [c.partner for c in decision.explanation.candidates])
