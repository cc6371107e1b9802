"""The type aliases of leadrail's arguments, for annotations (`leadrail.Instant`, ...).

A real module, so that the stub of the native module (`_leadrail.pyi`) and host code name the
same objects and `stubtest` finds them at run time."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol, Union

GeoPointLike = Union[Mapping[str, float], Sequence[float]]
"""A point: `{"lat": .., "lon": ..}` or a pair `(lat, lon)`, in degrees."""

Instant = Union[int, str, datetime]
"""Milliseconds since the epoch, an RFC 3339 string (`"2026-11-24T09:00:00Z"`) or an aware datetime."""

Timeline = Mapping[str, Any]
"""`{"lead": "L1", "events": [{"at": Instant, "event": "assigned", "partner": "P1"}, ...]}`: a
lead's lifecycle events in the order they happened (`event` one of `created`, `assigned`,
`viewed`, `accepted`, `rejected`, `contacted`, `stage_changed`, `status_changed`, `retracted`,
`reassigned`, `handed_down`, `won`, `lost`, `ordered`, `delivered`)."""

PartnerCalendars = Mapping[str, Union[str, Mapping[str, str]]]
"""Partner id -> calendar name, or -> `{field: calendar name}`."""

Instants = Union[Instant, Iterable[Instant], Mapping[str, Union[Instant, timedelta]]]
"""`now` of a batch: one `Instant`; one per lead (any sequence: a list, a tuple, a `range`, a
numpy array, a pandas Series, a pyarrow array); or `{"start": Instant, "step": step}`, lead `i`
at `start + i * step` (the step in milliseconds, a `timedelta` or a duration text, `"90s"`)."""


class DataFrameLike(Protocol):
    """A pandas DataFrame (read as columns; NaN, None, NaT and NA missing)."""

    @property
    def columns(self) -> Any: ...
    def __len__(self) -> int: ...


class ArrowTableLike(Protocol):
    """A pyarrow Table or RecordBatch (read as columns; nulls missing)."""

    @property
    def column_names(self) -> list[str]: ...
    @property
    def num_rows(self) -> int: ...


Records = Union[Iterable[Mapping[str, Any]], DataFrameLike, ArrowTableLike]
"""Partners or leads: any iterable of mappings, a pandas DataFrame or a pyarrow Table."""
