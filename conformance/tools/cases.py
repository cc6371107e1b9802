"""The conformance cases with their hand-reasoned expectations (see author.py)."""

T0 = "2026-11-24T09:00:00Z"
T1 = "2026-11-24T09:00:01Z"
MS0 = 1795510800000


def define(m):
    case, batch, route, partner, plain, lead = m.case, m.batch, m.route, m.partner, m.plain, m.lead
    FULL, PLAIN = m.FULL, m.PLAIN

    # ---- when ----------------------------------------------------------------------------
    case("routing", "when_selects_rule",
         "`when` picks the first rule whose lead condition holds; a lead no rule takes falls back",
         PLAIN + '''
route "big" {
  when    lead.size >= 100
  require partner.tier == gold
}
route "small" {
  when    lead.size < 100
  require partner.tier != gold
}
fallback queue "triage"
''',
         [plain("G", tier="gold"), plain("S")],
         batch([lead("L1", size=100), lead("L2", size=99), lead("L3", size=100)],
               ["G@big", "S@small", "G@big"]))

    case("routing", "when_null_counts_as_false",
         "a `when` over a missing optional field is null, which counts as false: the next rule decides",
         PLAIN + '''
route "flagged" {
  when    lead.flag == true
}
route "rest" {
  when    not lead.flag == true
}
fallback queue "nulls"
''',
         [plain("P1")],
         batch([lead("L1", flag=True), lead("L2", flag=False), lead("L3")],
               ["P1@flagged", "P1@rest", "q:nulls@fallback"]))

    # ---- require / covers ------------------------------------------------------------------
    case("routing", "covers_subdivisions",
         "a country territory covers its subdivisions; a subdivision does not cover its country or a sibling",
         PLAIN + '''
route "territory" {
  require partner.territories covers lead.region
  tie     id
}
''',
         [plain("COUNTRY", territories=["US"]), plain("TEXAS", territories=["US-TX"]),
          plain("GERMANY", territories=["DE"])],
         batch([lead("L1", region="US-TX"), lead("L2", region="US"), lead("L3", region="US-OK"),
                lead("L4", region="DE-BY"), lead("L5", region="FR")],
               ["COUNTRY", "COUNTRY", "COUNTRY", "GERMANY", "-"],
               explain=True,
               expl={"0": {"candidates": ["COUNTRY", "TEXAS"], "excluded": {
                   "partner.territories covers lead.region": ["GERMANY"]}, "tie_break": "id"},
                   "1": {"candidates": ["COUNTRY"]}}))

    case("routing", "covers_exclusions",
         "`US except US-TX` covers every US region but Texas and its postal areas",
         PLAIN + '''
route "territory" {
  require partner.territories covers lead.region
}
fallback unrouted
''',
         [plain("P1", territories=["US except US-TX"])],
         batch([lead("L1", region="US-OK"), lead("L2", region="US-TX"), lead("L3", region="US-TX:750"),
                lead("L4", region="US")],
               ["P1", "-", "-", "P1"]))

    case("routing", "covers_postal_prefix",
         "a postal-prefix territory covers regions whose postal code starts with the prefix",
         PLAIN + '''
route "territory" {
  require partner.territories covers lead.region
}
''',
         [plain("DALLAS", territories=["US-TX:75"])],
         batch([lead("L1", region="US-TX:752"), lead("L2", region="US-TX:770"), lead("L3", region="US-TX")],
               ["DALLAS", "-", "-"]))

    case("routing", "require_set_membership",
         "`lead.x in partner.set` selects partners whose set holds the lead's value",
         PLAIN + '''
route "line" {
  require lead.line in partner.lines
  tie     id
}
''',
         [plain("A", lines=["pumps", "valves"]), plain("B", lines=["valves"]), plain("C", lines=[])],
         batch([lead("L1", line="valves"), lead("L2", line="pumps"), lead("L3", line="hoses")],
               ["A", "A", "-"], explain=True,
               expl={"0": {"candidates": ["A", "B"], "excluded": {"lead.line in partner.lines": ["C"]}}}))

    case("routing", "require_first_failure_is_reason",
         "a partner is excluded by the first require it fails, in order",
         PLAIN + '''
route "two requires" {
  require partner.territories covers lead.region
  require partner.tier in [gold, silver]
}
''',
         [plain("BOTH", territories=["DE"], tier="bronze"), plain("TIER", tier="bronze"),
          plain("OK", tier="gold")],
         batch([lead("L1")], ["OK"], explain=True,
               expl={"0": {"candidates": ["OK"], "excluded": {
                   "partner.territories covers lead.region": ["BOTH"],
                   "partner.tier in [gold, silver]": ["TIER"]}, "tie_break": None}}))

    case("routing", "in_list_of_enum_symbols",
         "`x in [a, b]` with enum symbols; `not in` is its negation",
         PLAIN + '''
route "premium" {
  when    lead.size > 50
  require partner.tier in [gold, silver]
  tie     id
  else    next
}
route "others" {
  require partner.tier not in [gold, silver]
}
''',
         [plain("B", tier="bronze"), plain("G", tier="gold"), plain("S", tier="silver")],
         batch([lead("L1", size=60), lead("L2", size=10)], ["G@premium", "B@others"]))

    # ---- rank ---------------------------------------------------------------------------------
    case("routing", "rank_highest_wins",
         "candidates are ordered by rank descending; explanation lists scores and positions",
         FULL + '''
route "best rate" {
  rank    partner.rate * 100 - partner.active_leads
}
''',
         [m.partner("A", rate=0.9, active_leads=5), m.partner("B", rate=0.8, active_leads=0),
          m.partner("C", rate=0.5, active_leads=0)],
         # A: 90 - 5 = 85, B: 80 - 0, C: 50 - 0
         batch([lead("L1")], ["A"], explain=True,
               expl={"0": {"candidates": ["A", "B", "C"], "tie_break": "score"}}))

    case("routing", "rank_null_sorts_last",
         "a null rank sorts after every number, even negative ones",
         PLAIN + '''
route "score" {
  rank    partner.score
}
''',
         [plain("NULL"), plain("NEG", score=-5), plain("POS", score=3)],
         batch([lead("L1")], ["POS"], explain=True,
               expl={"0": {"candidates": ["POS", "NEG", "NULL"]}}))

    case("routing", "rank_ties_go_to_id_with_tie_id",
         "equal scores with `tie id`: the smaller id wins, whatever the recency",
         FULL + '''
route "flat" {
  rank    1
  tie     id
}
''',
         [m.partner("B", last_assigned_at="2026-01-01T00:00:00Z"), m.partner("A", last_assigned_at=T0)],
         batch([lead("L1"), lead("L2")], ["A", "A"], explain=True,
               expl={"0": {"candidates": ["A", "B"], "tie_break": "id"}}))

    # ---- balance --------------------------------------------------------------------------
    case("routing", "balance_workload",
         "with `balance workload` equal scores go to the lower utilisation",
         FULL + '''
route "balanced" {
  rank    1
  balance workload
  tie     id
}
''',
         [m.partner("A", capacity=10, active_leads=5), m.partner("B", capacity=4, active_leads=1),
          m.partner("C", capacity=100, active_leads=50)],
         # B is at 1/4, the others at 1/2; after L1 all three are at 1/2 and `tie id` decides
         batch([lead("L1"), lead("L2")], ["B", "A"], explain=True,
               expl={"0": {"candidates": ["B", "A", "C"], "tie_break": "workload"},
                     "1": {"candidates": ["A", "B", "C"], "tie_break": "id"}},
               state={"A": [6, MS0, 1], "B": [2, MS0, 1], "C": [50, None, 0]}))

    # ---- tie ------------------------------------------------------------------------------
    case("routing", "round_robin_never_assigned_first",
         "round robin: never assigned first, then the oldest last assignment",
         FULL + '''
route "rr" {
}
''',
         [m.partner("OLD", last_assigned_at="2026-11-01T00:00:00Z"),
          m.partner("NEW", last_assigned_at="2026-11-20T00:00:00Z"),
          m.partner("NEVER")],
         batch([lead("L1"), lead("L2"), lead("L3"), lead("L4")], ["NEVER", "OLD", "NEW", "NEVER"],
               now=[T0, T1, "2026-11-24T09:00:02Z", "2026-11-24T09:00:03Z"], explain=True,
               expl={"0": {"candidates": ["NEVER", "OLD", "NEW"], "tie_break": "least recently assigned"}}))

    case("routing", "round_robin_same_instant_uses_sequence",
         "leads routed at one instant: equal last assignments are ordered by assignment sequence",
         PLAIN.replace("score: int? }", "score: int?, last_assigned_at: datetime? }") + '''
route "rr" {
}
''',
         [plain("A", last_assigned_at=T0), plain("B", last_assigned_at=T0), plain("C", last_assigned_at=T0)],
         batch([lead(f"L{i}") for i in range(1, 7)], ["A", "B", "C", "A", "B", "C"]))

    case("routing", "round_robin_weighted",
         "weighted round robin: smallest (assigned + 1) / weight first, then least recently assigned",
         FULL + '''
route "weighted" {
  tie     round_robin weighted by partner.weight
}
''',
         [m.partner("HEAVY", weight=3), m.partner("LIGHT", weight=1)],
         # assigned 0/0: (1/3 < 1/1) HEAVY; 1/0: 2/3 < 1 HEAVY; 2/0: 1 == 1 -> recency: LIGHT never
         # assigned; 2/1: 1 < 2 HEAVY; 3/1: 4/3 < 2 HEAVY; 4/1: 5/3 < 2 HEAVY; 5/1: 2 == 2 -> LIGHT
         # (HEAVY more recent)
         batch([lead(f"L{i}") for i in range(1, 9)],
               ["HEAVY", "HEAVY", "LIGHT", "HEAVY", "HEAVY", "HEAVY", "LIGHT", "HEAVY"],
               now=[f"2026-11-24T09:00:0{i}Z" for i in range(8)],
               state={"HEAVY": [6, MS0 + 7000, 6], "LIGHT": [2, MS0 + 6000, 2]}))

    case("routing", "round_robin_weight_not_positive_sorts_last",
         "a zero, negative or null weight sorts after every positive weight",
         FULL + '''
route "weighted" {
  tie     round_robin weighted by partner.weight
}
''',
         [m.partner("ZERO", weight=0), m.partner("NEG", weight=-1), m.partner("ONE", weight=1)],
         batch([lead("L1")], ["ONE"], explain=True,
               expl={"0": {"candidates": ["ONE", "NEG", "ZERO"]}}))

    # ---- else -----------------------------------------------------------------------------
    case("routing", "else_next_and_queue",
         "`else next` tries the next rule; `else queue` ends there",
         PLAIN + '''
route "gold only" {
  require partner.tier == gold
  else    next
}
route "silver or queue" {
  require partner.tier == silver
  else    queue "overflow"
}
route "never reached for lack of partners" {
}
''',
         [plain("B", tier="bronze")],
         batch([lead("L1")], ["q:overflow@silver or queue"], explain=True,
               expl={"0": {"rules": [["gold only", "next"], ["silver or queue", "queue"]]}}))

    parent_rules = FULL + '''
route "dealer" {
  require partner.territories covers lead.region
  require lead.line in partner.lines
  require partner.active_leads < partner.capacity
  else    parent
}
fallback queue "inside-sales"
'''
    case("routing", "else_parent_hands_to_distributor",
         "no dealer has room: the fit dealers' parent that passes the guards and workload requires wins",
         parent_rules,
         [m.partner("D1", territories=["DE"], lines=["none"]),
          m.partner("D2", territories=["DE"], lines=["none"]),
          m.partner("DEALER1", parent="D1", capacity=2, active_leads=2),
          m.partner("DEALER2", parent="D2", capacity=1, active_leads=1, status="paused")],
         batch([lead("L1")], ["D1@dealer"], explain=True,
               expl={"0": {"candidates": ["D1", "D2"], "rules": [["dealer", "parent"]]}},
               state={"D1": [1, MS0, 1], "D2": [0, None, 0], "DEALER1": [2, None, 0],
                      "DEALER2": [1, None, 0]}))

    case("routing", "else_parent_without_parent_tries_next",
         "no fit partner has a usable parent: the next rule (here the fallback) decides",
         parent_rules,
         [m.partner("D1", status="paused", territories=["DE"]),
          m.partner("DEALER1", parent="D1", capacity=1, active_leads=1),
          m.partner("ORPHAN", capacity=1, active_leads=1)],
         batch([lead("L1")], ["q:inside-sales@fallback"]))

    case("routing", "fallback_unrouted_by_default",
         "without a `fallback`, a lead no rule decides is unrouted (rule null)",
         PLAIN + '''
route "gold" {
  require partner.tier == gold
}
''',
         [plain("S")],
         batch([lead("L1")], ["-"]))

    # ---- built-ins ------------------------------------------------------------------------
    case("routing", "distance_within",
         "`distance(...) <= N km` keeps partners within N km; rank by nearness",
         FULL + '''
route "near" {
  require distance(partner.location, lead.location) <= 300 km
  rank    -distance(partner.location, lead.location)
}
fallback queue "far"
''',
         [m.partner("DALLAS", location={"lat": 32.7767, "lon": -96.797}),
          m.partner("HOUSTON", location=[29.7604, -95.3698]),
          m.partner("NOWHERE")],
         batch([lead("L1", location={"lat": 32.9, "lon": -97.0}),
                lead("L2", location={"lat": 29.5, "lon": -95.0}),
                lead("L3", location={"lat": 40.7, "lon": -74.0}),
                lead("L4")],
               ["DALLAS", "HOUSTON", "q:far@fallback", "q:far@fallback"], explain=True,
               # Houston is about 385 km from L1
               expl={"0": {"candidates": ["DALLAS"], "excluded": {
                   "distance(partner.location, lead.location) <= 300 km": ["HOUSTON", "NOWHERE"]}}}))

    case("routing", "certified_validity",
         "`certified` holds while the validity date is on or after the routing date (UTC)",
         FULL + '''
route "certified" {
  require certified(partner, "hydraulics")
  tie     id
}
''',
         [m.partner("EXPIRED", certs={"hydraulics": "2026-11-23"}),
          m.partner("TODAY", certs={"hydraulics": "2026-11-24"}),
          m.partner("OTHER", certs={"pneumatics": "2030-01-01"})],
         batch([lead("L1"), lead("L2")], ["TODAY", "-"], now=[T0, "2026-11-25T00:00:00Z"]))

    case("routing", "smoothed_rate",
         "smoothed(rate, n) pulls small samples to the prior: 1/1 scores 0.55, 80% of 100 scores 0.773",
         FULL + '''
route "smoothed" {
  rank    smoothed(partner.rate, partner.received)
}
''',
         [m.partner("LUCKY", rate=1.0, received=1), m.partner("STEADY", rate=0.8, received=100)],
         batch([lead("L1")], ["STEADY"], explain=True, expl={"0": {"candidates": ["STEADY", "LUCKY"]}}))

    case("routing", "utilisation_require_is_workload",
         "utilisation(partner) reads the state: the partner drops out once it reaches 50%",
         FULL + '''
route "room" {
  require utilisation(partner) < 50%
  tie     id
}
fallback queue "full"
''',
         [m.partner("A", capacity=4, active_leads=1)],
         batch([lead("L1"), lead("L2"), lead("L3")], ["A", "q:full@fallback", "q:full@fallback"],
               state={"A": [2, MS0, 1]}))

    # ---- implicit guards, state -----------------------------------------------------------
    case("routing", "implicit_guards",
         "status must be active and active_leads < capacity, before any require",
         FULL + '''
route "any" {
  require partner.tier == gold
  tie     id
}
''',
         [m.partner("PAUSED", status="paused", tier="gold"), m.partner("FULL", capacity=3, active_leads=3, tier="gold"),
          m.partner("SILVER"), m.partner("GOLD", tier="gold")],
         batch([lead("L1")], ["GOLD"], explain=True,
               expl={"0": {"candidates": ["GOLD"]}}))

    case("routing", "capacity_fills_during_batch",
         "each assignment adds an active lead; a partner at capacity is skipped by later leads",
         FULL + '''
route "any" {
  tie     id
}
fallback queue "overflow"
''',
         [m.partner("A", capacity=2, active_leads=1), m.partner("B", capacity=1, active_leads=0)],
         batch([lead("L1"), lead("L2"), lead("L3")], ["A", "B", "q:overflow@fallback"],
               now=[T0, T1, "2026-11-24T09:00:02Z"],
               state={"A": [2, MS0, 1], "B": [1, MS0 + 1000, 1]}))

    # ---- three-valued logic -----------------------------------------------------------------
    case("routing", "kleene_logic",
         "true or null is true, false and null is false, not null is null (counts as false)",
         PLAIN + '''
route "or" {
  require lead.flag == true or partner.tier == gold
  tie     id
  else    next
}
route "not" {
  require not lead.flag == true
  tie     id
}
fallback queue "nulls"
''',
         [plain("G", tier="gold"), plain("S")],
         batch([lead("L1"), lead("L2", flag=True), lead("L3", flag=False)],
               ["G@or", "G@or", "G@or"], explain=True,
               expl={"0": {"candidates": ["G"]}, "1": {"candidates": ["G", "S"]}}))

    case("routing", "null_require_excludes_everyone",
         "a require that is null for every partner excludes them all; `not` of null stays null",
         PLAIN + '''
route "not" {
  require not lead.flag == true
}
fallback queue "nulls"
''',
         [plain("S")],
         batch([lead("L1"), lead("L2", flag=False)], ["q:nulls@fallback", "S@not"]))

    case("routing", "division_by_zero_is_null",
         "x / 0 is null: that rank sorts last",
         FULL + '''
route "ratio" {
  rank    partner.received / partner.active_leads
  tie     id
}
''',
         [m.partner("ZERO", received=10, active_leads=0), m.partner("TWO", received=10, active_leads=2)],
         batch([lead("L1")], ["TWO"], explain=True, expl={"0": {"candidates": ["TWO", "ZERO"]}}))

    case("routing", "money_compares_exactly",
         "money fields compare exactly; decimal strings are accepted",
         FULL + '''
route "large" {
  when    lead.deal >= 250_000
  require partner.tier == gold
  else    queue "key-accounts"
}
route "rest" {
}
''',
         [m.partner("G", tier="silver")],
         batch([lead("L1", deal="250000.00"), lead("L2", deal=249999.99), lead("L3")],
               ["q:key-accounts@large", "G@rest", "G@rest"]))

    # ---- host options -----------------------------------------------------------------------
    case("routing", "exclude_by_host",
         "partners the host excludes are never candidates; their reason is `excluded by host`",
         PLAIN + '''
route "any" {
  tie     id
}
''',
         [plain("A"), plain("B")],
         batch([lead("L1")], ["B"], exclude=["A", "UNKNOWN"], explain=True,
               expl={"0": {"candidates": ["B"], "excluded": {"excluded by host": ["A"]}}}))

    case("routing", "route_changes_no_state",
         "route() decides without assigning: the same lead twice gets the same partner",
         FULL + '''
route "rr" {
}
''',
         [m.partner("A"), m.partner("B")],
         [route(lead("L1"), "A"), route(lead("L1"), "A"),
          {"call": "state", "want": {"A": [0, None, 0], "B": [0, None, 0]}}])

    case("routing", "route_explains",
         "route() with explain: the rules tried, exclusions and candidates",
         FULL + '''
route "gold" {
  when    lead.size > 1000
  require partner.tier == gold
  else    next
}
route "nearby" {
  require partner.territories covers lead.region
  rank    partner.rate
}
''',
         [m.partner("A", rate=0.25), m.partner("B", rate=0.75), m.partner("C", territories=["CA"])],
         [route(lead("L1"), "B@nearby", explain=True,
                expl={"rules": [["gold", "next"], ["nearby", "decided"]],
                      "candidates": ["B", "A"], "tie_break": "score",
                      "excluded": {"partner.territories covers lead.region": ["C"]}})])

    case("routing", "state_read_reports_version",
         "state_read carries the chosen partner's version, active leads and last assignment as read",
         FULL + '''
route "any" {
  tie     id
}
''',
         [m.partner("A", active_leads=3, last_assigned_at="2026-11-01T00:00:00Z")],
         batch([lead("L1"), lead("L2")], ["A", "A"], now=[T0, T1],
               state={"A": [5, MS0 + 1000, 2]}))

    case("routing", "per_lead_instants_as_millis",
         "`now` may be one instant per lead, in milliseconds",
         FULL + '''
route "any" {
}
''',
         [m.partner("A"), m.partner("B")],
         batch([lead("L1"), lead("L2"), lead("L3")], ["A", "B", "A"], now=[MS0, MS0 + 1, MS0 + 2],
               state={"A": [2, MS0 + 2, 2], "B": [1, MS0 + 1, 1]}))

    case("routing", "integer_lead_id",
         "an integer id is read as its decimal text",
         PLAIN + '''
route "any" {
}
''',
         [plain(7)],
         batch([dict(lead("x"), id=42)], ["7"]))

    # ---- warnings ---------------------------------------------------------------------------
    case("routing", "unreachable_rule_warning",
         "a rule after an unconditional queue rule never fires: a warning, the rules still compile",
         PLAIN + '''
route "everything" {
  else    queue "triage"
}
route "never" {
  when    lead.size > 10
}
''',
         [plain("S", tier="silver")],
         batch([lead("L1", size=20)], ["S@everything"]),
         warnings=[("check::unreachable_rule", 9, 7)])

    # ---- rule errors ----------------------------------------------------------------------
    case("errors", "rule_unknown_field",
         "an undeclared field: unknown_field at its position",
         PLAIN + '''
route "r" {
  require partner.teir == gold
}
''', compile_errors=[("type::unknown_field", 7, 19)])

    case("errors", "rule_type_mismatch",
         "rank must be a number",
         PLAIN + '''
route "r" {
  rank    partner.tier == gold
}
''', compile_errors=[("type::mismatch", 7, 11)])

    case("errors", "rule_single_quotes",
         "single-quoted strings are a syntax error with a hint",
         PLAIN + '''
route "r" {
  require lead.line == 'pumps'
}
''', compile_errors=[("parse::unexpected_token", 7, 24)])

    case("errors", "rule_when_reads_partner",
         "`when` may read only lead fields",
         PLAIN + '''
route "r" {
  when    partner.tier == gold
}
''', compile_errors=[("type::scope", 7, 11)])

    case("errors", "rule_several_errors",
         "every error of the file is reported at once, in order",
         PLAIN + '''
route "a" {
  require partner.nope == 1
}
route "b" {
  require lead.size == "x"
}
''', compile_errors=[("type::unknown_field", 7, 19), ("type::mismatch", 10, 11)])

    case("errors", "rule_column_counts_code_points",
         "columns count code points: the Node runner converts them to UTF-16 units",
         PLAIN + '''
route "r" {
  require lead.line == "🚀 ünïcode" and partner.tier == platinum
}
''', compile_errors=[("type::unknown_symbol", 7, 56)])

    case("errors", "rule_missing_schema",
         "a ruleset without a partner schema",
         'ruleset "x" version 1\nschema lead { size: int }\nfallback unrouted\n',
         compile_errors=[("check::missing_item", 1, 1)])

    case("errors", "rule_invalid_region_literal",
         "a string where a region is expected must be a valid region code",
         PLAIN + '''
route "r" {
  when    lead.region == "XX-NOPE"
}
''', compile_errors=[("type::invalid_region", 7, 26)])

    # ---- data errors ------------------------------------------------------------------------
    case("errors", "partner_missing_field",
         "a partner without a required field: the network is rejected naming record and field",
         PLAIN + 'route "r" {\n}\n',
         [plain("P1"), {"id": "P2", "territories": ["US"], "lines": []}],
         network_error=("data::missing_field", "P2", "tier"))

    case("errors", "partner_invalid_enum",
         "an enum value that is not a symbol",
         PLAIN + 'route "r" {\n}\n',
         [plain("P1", tier="platinum")],
         network_error=("data::invalid_field", "P1", "tier"))

    case("errors", "partner_duplicate_id",
         "two partners with one id",
         PLAIN + 'route "r" {\n}\n',
         [plain("P1"), plain("P1")],
         network_error=("data::duplicate_id", "P1", None))

    case("errors", "partner_without_id",
         "a partner without an id is named by its position",
         PLAIN + 'route "r" {\n}\n',
         [plain("P1"), {"territories": ["US"], "lines": [], "tier": "gold"}],
         network_error=("data::invalid_record", "#2", None))

    case("errors", "bad_leads_in_batch",
         "bad leads get their own error and change no state; the others are routed in order",
         FULL + '''
route "any" {
  tie     id
}
''',
         [m.partner("A", capacity=2)],
         batch([lead("L1", size="12"), lead("L2"), {"id": "L3", "region": "US"}, 42,
                lead("L5", region="XX"), lead("L6", size=1.5), lead("L7", size=3.0),
                {"region": "US", "line": "x", "size": 1}],
               ["!data::invalid_field", "A", "!data::missing_field", "!data::invalid_record",
                "!data::invalid_field", "!data::invalid_field", "A", "!data::invalid_record"],
               state={"A": [2, MS0, 2]}))

    case("errors", "lead_ratio_and_dates",
         "ratio outside [0, 1] and an impossible date are invalid fields",
         'ruleset "x" version 1\n'
         'schema lead { share: ratio, due: date, at: datetime }\n'
         'schema partner { tier: int }\n'
         'route "r" {\n}\n',
         [{"id": "P", "tier": 1}],
         batch([{"id": "A", "share": 1.5, "due": "2026-01-01", "at": T0},
                {"id": "B", "share": "85%", "due": "2026-02-30", "at": T0},
                {"id": "C", "share": 0.5, "due": "2026-02-28", "at": "2026-11-24T09:00:00"},
                {"id": "D", "share": "85%", "due": "2026-02-28", "at": "2026-11-24T10:00:00+01:00"}],
               ["!data::invalid_field", "!data::invalid_field", "!data::invalid_field", "P"]))

    case("errors", "route_bad_lead_raises",
         "route() with a bad lead is an error naming the record and the field",
         PLAIN + 'route "r" {\n}\n',
         [plain("P1")],
         [route({"id": "L1", "region": "US", "line": "x", "size": None}, "!data::missing_field")])
