"""Picking the best few of many scores without sorting them all.

Scores come in few distinct levels (points are sums of a handful of weights), so the best
``k`` are found with a partition or a few linear scans over the levels; at 100,000 claims that
is far cheaper than a sort. Ties always go to the earlier position, which is the smaller id.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.int64]
Scores = npt.NDArray[np.float64]
KTH_LEVELS: Final = 4  # distinct score levels scanned for a re-rank floor


def top(scores: Scores, rows: Array, k: int) -> Array:
    """Positions of the ``k`` best scores, best first, ties to the smaller row (so to the
    smaller id: rows are in id order); a partition, then a sort of the ``k``."""
    if len(scores) > k:
        # Scores differ by at least 0.01 or not at all, so a tiny row term only breaks ties.
        keys = scores - rows * 1e-9
        part = np.argpartition(-keys, k - 1)[:k]
    else:
        part = np.arange(len(scores))
    return part[np.lexsort((rows[part], -scores[part]))]


def contenders(scores: Scores, k: int) -> Array:
    """Positions of the ``k`` best scores, ties to the earlier position, in no particular
    order: those above the ``k``-th best, then the first ones at it."""
    floor = kth_best(scores, k)
    if len(scores) <= k or floor == -np.inf:
        return top(scores, np.arange(len(scores)), k)
    above = np.flatnonzero(scores > floor)
    level = np.flatnonzero(scores == floor)[: k - len(above)]
    return np.concatenate([above, level])


def kth_best(scores: Scores, k: int) -> float:
    """The ``k``-th best of ``scores`` (below 0 and 1,000), if the best ``KTH_LEVELS`` distinct
    scores hold that many; else -inf."""
    for _level in range(KTH_LEVELS):
        best = float(scores.max()) if len(scores) else -np.inf
        if best < -1_000:  # nothing left: every level is taken
            break
        at_best = scores >= best
        k -= int(np.count_nonzero(at_best))
        if k <= 0:
            return best
        scores = scores - 1e6 * at_best  # taken: out of the next level's way
    return -np.inf


def best_levels(scores: Scores, k: int) -> Array:
    """Positions of the ``k`` best finite scores, best first, ties to the earlier position:
    the best level, then the next, until ``k`` are taken."""
    found: list[Array] = []
    remaining = k
    scores = scores.copy()
    while remaining > 0:
        best = scores.max() if len(scores) else -np.inf
        if not np.isfinite(best):
            break
        level = np.flatnonzero(scores == best)[:remaining]
        found.append(level)
        remaining -= len(level)
        scores[level] = -np.inf  # taken; if the level had more, ``remaining`` is now 0
    return np.concatenate(found) if found else np.array([], np.int64)
