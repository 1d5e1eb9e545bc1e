"""Tables of records as pandas DataFrames, pandas imported only when asked for."""

from __future__ import annotations

from typing import Any, Sequence

__all__ = ["dataframe"]


def dataframe(records: Sequence[dict[str, Any]], owner: str,
              columns: Sequence[str] | None = None, index: str | None = None) -> Any:
    """``records`` (one dict per row) as a pandas DataFrame; ``owner`` names the method for
    the message when pandas is missing.

    >>> dataframe([{"a": 1, "b": 2}], "example", index="a").loc[1, "b"]
    np.int64(2)
    """
    try:
        import pandas as pd
    except ImportError as err:  # pragma: no cover - pandas is in the test extra
        raise ImportError(f"{owner} needs pandas: pip install pandas "
                          "(or the tables extra: pip install 'regions[tables]')") from err
    frame = pd.DataFrame.from_records(list(records), columns=columns)
    return frame if index is None else frame.set_index(index)
