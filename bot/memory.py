"""Fewer malloc arenas for the long-running bot.

glibc gives a thread that allocates while another holds the main arena an arena of its own,
up to eight per core, and rarely hands their memory back. The bot builds its index in worker
threads beside the event loop, so each build's numpy columns and claim rows could leave
memory in another arena: capped at two, the bot at 100,000 claims peaked 7 to 17 MB lower
under the benchmark's burst, at the same CPU per answer (issue 16).
"""

from __future__ import annotations

import ctypes
import logging
import os
from typing import Final

log = logging.getLogger(__name__)

ARENAS: Final = 2
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
