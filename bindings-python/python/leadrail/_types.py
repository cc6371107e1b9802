"""The type aliases of leadrail's arguments, for annotations (`leadrail.Instant`, ...).

A real module, so that the stub of the native module (`_leadrail.pyi`) and host code name the
same objects and `stubtest` finds them at run time."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Union

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
