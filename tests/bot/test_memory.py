"""The bot's memory: malloc arenas capped on glibc, so threads' allocations share one; each
new index frozen out of the garbage collector's walks, and still freed once replaced."""

from __future__ import annotations

import gc
import os
import platform
import re
import subprocess
import sys
import weakref
from collections.abc import Iterator

import pytest
from helpers.builders import SEED_FILE
from sqlalchemy.engine import Engine

from bot.memory import ARENAS, cap_malloc_arenas, freeze_long_lived
from bot.service import Answerer, seed_if_empty

glibc_only = pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="arenas are glibc's")

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


@glibc_only
def test_threads_of_a_capped_process_share_the_main_malloc_arena() -> None:
    assert arenas_used("uncapped") > ARENAS  # glibc's default: an arena for each new thread
    assert arenas_used("capped") <= ARENAS


@glibc_only
def test_an_operator_s_malloc_arena_max_stands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "4")
    assert not cap_malloc_arenas()


@pytest.fixture
def freezing(engine: Engine) -> Iterator[Answerer]:
    """An answerer over the seed that freezes each new index, as the running bot's does."""
    seed_if_empty(engine=engine, seed_file=SEED_FILE)
    answerer = Answerer(engine, refresh_seconds=3600)
    answerer.on_rebuilt.append(freeze_long_lived)
    yield answerer
    gc.unfreeze()  # the rest of the test run collects as usual


def tracked(obj: object) -> bool:
    """Whether a collection would walk ``obj`` (frozen objects are in no generation)."""
    return any(other is obj for other in gc.get_objects())


def test_a_new_index_is_left_out_of_garbage_collections(freezing: Answerer) -> None:
    index = freezing.index(force=True)
    assert gc.is_tracked(index.columns.things)  # a dict the collector would otherwise walk
    assert not tracked(index.columns.things)
    assert gc.get_freeze_count() > 0


def test_a_frozen_index_is_freed_once_a_rebuild_replaces_it(freezing: Answerer) -> None:
    old = weakref.ref(freezing.index(force=True))
    replaced = weakref.ref(freezing.index(force=True))
    assert old() is None
    assert replaced() is freezing.index()
    assert freezing.index().search("how many russian soldiers died in bakhmut").answered
