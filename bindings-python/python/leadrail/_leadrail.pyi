"""Type stubs for the native module `leadrail._leadrail`."""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final, Optional, Union

__version__: Final[str]

GeoPointLike = Union[Mapping[str, float], Sequence[float]]
"""A point: `{"lat": .., "lon": ..}` or a pair `(lat, lon)`, in degrees."""

class LeadrailError(Exception):
    """Base class of every leadrail error."""

    code: str
    """A stable code, one of `error_codes()`."""
    message: str
    help: Optional[str]
    file: Optional[str]
    line: int
    """1-based line of the first diagnostic (0 when it has no position)."""
    column: int
    """1-based column, in code points, of the first diagnostic (0 when it has no position)."""
    record: Optional[str]
    field: Optional[str]
    diagnostics: list[dict[str, Any]]
    """Every report, in the shared wire shape (code, message, help, severity, line, column, ...)."""

class RuleError(LeadrailError):
    """A rule text was rejected; `diagnostics` lists every problem."""

class DataError(LeadrailError):
    """A host record was rejected; `record` and `field` say where."""

def haversine_km(a: GeoPointLike, b: GeoPointLike) -> float:
    """Great-circle distance in km between two points (WGS 84, mean Earth radius)."""

def distances_km(origin: GeoPointLike, points: Iterable[GeoPointLike]) -> list[float]:
    """Distances in km from `origin` to each point, computed without holding the GIL."""

def error_codes() -> list[str]:
    """Every stable error code."""
