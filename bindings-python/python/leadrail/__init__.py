"""leadrail: routing and SLA rules engine for channel sales.

A thin layer over the Rust core: values are converted and errors mapped, nothing else.
"""

from ._leadrail import (
    DataError,
    LeadrailError,
    RuleError,
    __version__,
    distances_km,
    error_codes,
    haversine_km,
)

__all__ = [
    "DataError",
    "LeadrailError",
    "RuleError",
    "__version__",
    "distances_km",
    "error_codes",
    "haversine_km",
]
