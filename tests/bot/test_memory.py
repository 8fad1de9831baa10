"""The bot's malloc arenas: capped on glibc, so threads' allocations share two arenas."""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys

import pytest

from bot.memory import ARENAS, cap_malloc_arenas

pytestmark = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="arenas are glibc's")

THREADS_ALLOCATE = """
import ctypes, sys, threading
from bot.memory import cap_malloc_arenas
if sys.argv[1] == "capped":
    cap_malloc_arenas()
held, allocated, counted = [], threading.Barrier(9), threading.Barrier(9)
def allocate():  # all alive at once: an exiting thread's arena goes to the next one
    held.append([bytes(1_000) for _ in range(1_000)])  # past pymalloc's 512 bytes: malloc's
    allocated.wait()
    counted.wait()
threads = [threading.Thread(target=allocate) for _ in range(8)]
for thread in threads:
    thread.start()
allocated.wait()
ctypes.CDLL(None).malloc_stats()  # one "Arena N:" block per arena, on stderr
counted.wait()
for thread in threads:
    thread.join()
"""


def arenas_used(mode: str) -> int:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    done = subprocess.run(
        [sys.executable, "-c", THREADS_ALLOCATE, mode],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return len(re.findall(r"^Arena \d+:", done.stderr, re.MULTILINE))


def test_threads_of_a_capped_process_share_two_malloc_arenas() -> None:
    assert arenas_used("uncapped") > ARENAS  # glibc's default: an arena for each new thread
    assert arenas_used("capped") <= ARENAS


def test_an_operator_s_malloc_arena_max_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert not cap_malloc_arenas()
