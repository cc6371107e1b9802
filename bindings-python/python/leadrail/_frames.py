"""Tables and arrays as the native module reads them (conversion only, no decisions).

The native module calls `table` with a `route_batch` / `network` argument and `arrays` with the
columns of `route_columns`. Both return `(rows, {name: column})`, each column a list (missing
values as None) or a one-dimensional numeric numpy array without missing values, which the
native side reads from its buffer. pandas, pyarrow, polars and numpy are never imported here: a
table is recognised by its type's module, so leadrail works without them installed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any


def _root(obj: Any) -> str:
    return type(obj).__module__.split(".", 1)[0]


_ARRAYS = ("numpy", "pandas", "pyarrow", "polars")


def table(obj: Any, names: Sequence[str], text: bool = True) -> tuple[int, dict[str, Any]] | None:
    """The columns `names` of a pandas DataFrame, a pyarrow Table or RecordBatch, or a polars
    DataFrame (as its Arrow table); None when `obj` is none of these. A pandas index named
    `id` serves as the `id` column."""
    root, kind = _root(obj), type(obj).__name__
    if root == "polars" and kind == "DataFrame":
        obj, root, kind = obj.to_arrow(), "pyarrow", "Table"
    if root == "pandas" and kind == "DataFrame":
        given = {n: obj[n] for n in names if n in obj.columns}
        if "id" not in given and obj.index.name == "id":
            given["id"] = obj.index.to_series()
        return len(obj), {n: column(c) for n, c in given.items()}
    if root == "pyarrow" and kind in ("Table", "RecordBatch"):
        have = set(obj.column_names)
        return obj.num_rows, {n: column(obj.column(n)) for n in names if n in have}
    return None


def arrays(
    columns: Mapping[str, Any], names: Sequence[str], text: bool
) -> tuple[int, dict[str, Any]] | None:
    """The columns `names` of a mapping of lists, tuples, numpy arrays, pandas Series or
    pyarrow arrays; None when none is an array and `text` is false (`route_columns` reads
    lists and tuples itself, in chunks)."""
    given = {n: columns[n] for n in names if n in columns}
    if not text and not any(_root(c) in _ARRAYS for c in given.values()):
        return None
    if any(isinstance(c, (str, bytes, Mapping)) for c in given.values()):
        return None  # (refused by `route_columns`, with the column's name)
    read = {n: column(c) for n, c in given.items()}
    return len(read.get("id", ())), read


def column(c: Any) -> Any:
    """One column as a list (missing values None) or a numeric numpy array without missing
    values (timestamps with a time zone as milliseconds since the epoch)."""
    if isinstance(c, (list, tuple)):
        return c
    root = _root(c)
    if root == "pyarrow":
        t = c.type
        tz = getattr(t, "tz", None)
        if c.null_count == 0 and tz is not None:
            return c.cast(f"timestamp[ms, tz={tz}]").cast("int64").to_numpy()
        if c.null_count == 0 and str(t).startswith(("int", "uint", "double")) and str(t) != "uint64":
            return c.to_numpy()
        return c.to_pylist()
    if root == "pandas":
        if c.dtype.kind in "iuf" and type(c.dtype).__module__.startswith("numpy"):
            return c.to_numpy()
        return c.astype(object).where(c.notna(), None).tolist()
    if type(c).__name__ == "ndarray":
        if c.dtype.kind == "M":  # numpy datetimes have no time zone: read as naive datetimes
            return c.astype("datetime64[ms]").astype(object).tolist()
        return c if c.dtype.kind in "iuf" and c.ndim == 1 else c.tolist()
    return c.tolist() if hasattr(c, "tolist") else list(c)
