"""Rules shared by every check of incoming data: the server's, the document loader's, the centroid CSV's."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# Vectors are stored as float32. Its largest finite value is 2**128 - 2**104 (3.4028235e38); a number rounds
# to it up to the halfway point to 2**128, and from there on (round half to even) to infinity.
FLOAT32_LIMIT = 2.0**128 - 2.0**103

MAX_PROBLEMS_SHOWN = 20


def fits_float32(value: Any) -> Any:
    """Whether `value` (a number, or elementwise for a numpy array) is finite and stays finite as a float32.

    NaN and infinities do not fit; neither do numbers that would round to infinity (from FLOAT32_LIMIT on).
    """
    return abs(value) < FLOAT32_LIMIT


def problems_text(problems: Sequence[object]) -> str:
    """The first MAX_PROBLEMS_SHOWN problems, one a line, then how many more there are."""
    shown = [str(problem) for problem in problems[:MAX_PROBLEMS_SHOWN]]
    if len(problems) > len(shown):
        shown.append(f"... and {len(problems) - len(shown)} more")
    return "\n".join(shown)
