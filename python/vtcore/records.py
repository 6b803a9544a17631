"""The C++ tick record as numpy sees it: one public home for its layout.

`TICK_DTYPE` is the structured dtype of `vtcore::TickRecord` (cpp/include/vtcore/records.hpp), built from the
offsets the compiled core reports, so a numpy array of it views C++ memory without copying (the arrays
that `EventEngine.register_tick_batch` handlers receive, `TickBuffer.array()`). Depth arrays are flattened
to vn.py's names (`bid_price_1` .. `ask_volume_5`).
"""

from __future__ import annotations

import numpy as np

from vtcore._core import TICK_FIELDS as _FIELDS
from vtcore._core import TICK_RECORD_SIZE, TICK_SYMBOL_SIZE, TICK_VOLUME_ROUNDED

__all__ = [
    "TICK_DTYPE",
    "TICK_RECORD_FIELDS",
    "TICK_RECORD_SIZE",
    "TICK_SYMBOL_SIZE",
    "TICK_VOLUME_ROUNDED",
]

# TICK_RECORD_SIZE: sizeof(vtcore::TickRecord) in bytes; TICK_SYMBOL_SIZE: bytes a symbol may take in a
# record (longer symbols are refused, never cut); TICK_VOLUME_ROUNDED: the `flags` bit set when a depth volume
# did not fit a float32 exactly.
#: (name, numpy format, byte offset) of each field, in record order
TICK_RECORD_FIELDS: tuple[tuple[str, str, int], ...] = tuple(
    (name, fmt, offset) for name, fmt, offset in _FIELDS
)
TICK_DTYPE: np.dtype[np.void] = np.dtype(
    {
        "names": [name for name, _, _ in TICK_RECORD_FIELDS],
        "formats": [fmt for _, fmt, _ in TICK_RECORD_FIELDS],
        "offsets": [offset for _, _, offset in TICK_RECORD_FIELDS],
        "itemsize": TICK_RECORD_SIZE,
    }
)
