"""Fewer malloc arenas, and fewer objects for the garbage collector, in the long-running bot.

glibc gives a thread that allocates while another holds the main arena an arena of its own,
up to eight per core, and rarely hands their memory back. The bot builds its index in worker
threads beside the event loop, so each build's numpy columns and claim rows could leave
memory in another arena, where the event loop's allocations cannot reuse it. Capped at two,
the bot at 100,000 claims peaked 7 to 17 MB lower under the benchmark's burst than uncapped;
at one, 193.4-200.5 MB in five runs of the benchmark, against 206.5-207.3 MB in seven of nine
at two, with CPU per answer within the runs' noise (A/B, three runs each: 1.9-2.6 ms at one,
2.1-3.1 at two). With the GIL held around nearly every allocation, threads rarely wait for
the one arena's lock (issue 16).

A full garbage collection walks every tracked object, holding the GIL: in the bot that is
about 0.1 s at seed size (modules, classes, the index) and 0.2 s at 100,000 claims, paid
whenever enough objects have outlived the young generations. Almost all of them live as long
as the process or the index, so they are frozen out of collections once start-up has
imported everything and after each index build. Over a benchmark run (start, 1,000 answers),
full collections took 0.11-0.16 s before and none after at seed size; 0.5-0.7 s before and
0.15 s after at 100,000 claims.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
from typing import Final

log = logging.getLogger(__name__)

ARENAS: Final = 1
_M_ARENA_MAX: Final = -8  # glibc's mallopt option number, from malloc.h


def cap_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas (call before threads start); whether the cap was set.

    An operator's ``MALLOC_ARENA_MAX`` stands. Elsewhere than glibc (macOS, musl, which
    has no arenas) nothing changes.
    """
    if os.environ.get("MALLOC_ARENA_MAX"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # no C library to ask, or one without mallopt
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    done = bool(mallopt(_M_ARENA_MAX, arenas))
    log.debug("malloc arenas capped at %d: %s", arenas, done)
    return done


def freeze_long_lived() -> None:
    """Keep every object alive now (modules, the new index) out of later collections.

    An index build leaves no cyclic garbage (measured at seed size and at 100,000 claims),
    and a replaced index is freed by reference counting, frozen or not. The young generations
    are collected first, so the garbage a freeze could keep is at most what was already old.
    """
    gc.collect(1)
    gc.freeze()
