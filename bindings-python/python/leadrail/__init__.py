"""leadrail: routing and SLA rules engine for channel sales.

A thin layer over the Rust core: values are converted and errors mapped, nothing else. Results
are typed objects (`Decision`, `RouteResults`, `SlaEvaluation`, ...) whose `to_dict()` gives the
wire form.
"""

from ._leadrail import (
    Candidate,
    DataError,
    Decision,
    DueAction,
    Engine,
    Exclusion,
    Explanation,
    Label,
    LeadrailError,
    Network,
    Outcome,
    Report,
    RerouteExclusion,
    ReroutePlan,
    RouteResult,
    RouteResults,
    RuleError,
    RulesetInfo,
    RuleTrace,
    SlaEvaluation,
    SlaResult,
    SlaStatus,
    StateRead,
    __version__,
    distances_km,
    error_codes,
    haversine_km,
)
from ._types import GeoPointLike, Instant, PartnerCalendars, Timeline

__all__ = [
    "Candidate",
    "DataError",
    "Decision",
    "DueAction",
    "Engine",
    "Exclusion",
    "Explanation",
    "GeoPointLike",
    "Instant",
    "Label",
    "LeadrailError",
    "Network",
    "Outcome",
    "PartnerCalendars",
    "Report",
    "RerouteExclusion",
    "ReroutePlan",
    "RouteResult",
    "RouteResults",
    "RuleError",
    "RuleTrace",
    "RulesetInfo",
    "SlaEvaluation",
    "SlaResult",
    "SlaStatus",
    "StateRead",
    "Timeline",
    "__version__",
    "distances_km",
    "error_codes",
    "haversine_km",
]

# deal registration
from ._leadrail import Conflict, Verdict, register  # noqa: E402

__all__ += ["Conflict", "Verdict", "register"]
