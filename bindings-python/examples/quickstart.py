import leadrail

engine = leadrail.Engine.from_file("quickstart.rail")
network = engine.network([
    {"id": "P1", "territories": ["US-TX"], "tier": "gold", "capacity": 10, "active_leads": 2},
    {"id": "P2", "territories": ["US"], "tier": "silver", "capacity": 5, "active_leads": 4},
])
decision = network.route({"id": "L1", "region": "US-TX:752"}, "2026-11-24T09:00:00Z", explain=True)
print(decision.outcome.to_dict(), [c.to_dict() for c in decision.explanation.candidates])
for result in network.route_batch([{"id": "L2", "region": "US-CA"}, {"id": "L3"}], "2026-11-24T09:05:00Z"):
    if result.ok:
        print(result.ok.outcome.to_dict())
    elif result.error:
        print(result.error.message)
