"""The benchmark harness: its synthetic claims are valid, and a tiny run prints the whole table.

No speed is asserted anywhere: the numbers depend on the machine; run.py reports them.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Final

import pytest
from bench.profile import classify, read_raw
from bench.run import METRICS, SAME_TRANSPORT_ECHO, TARGET_SIZE, parse_args
from bench.synthetic import generate_claims

from store import validate_document

RUN: Final = Path(__file__).resolve().parent / "bench" / "run.py"


def test_synthetic_claims_validate_with_unique_keys() -> None:
    claims = generate_claims(2000)
    validated = validate_document({"claims": claims})  # raises on any invalid claim
    assert len(validated) == 2000
    keys = [claim["key"] for claim in claims]
    assert len(set(keys)) == 2000
    assert all(key.startswith("syn-") for key in keys)


def test_generation_is_deterministic_per_seed() -> None:
    assert generate_claims(300, seed=7) == generate_claims(300, seed=7)
    assert generate_claims(300, seed=7) != generate_claims(300, seed=8)
    # run.py measures smaller sizes on prefixes of the largest; that must equal generating them.
    assert generate_claims(100, seed=3) == generate_claims(300, seed=3)[:100]


def test_synthetic_claims_look_like_real_ones() -> None:
    claims = generate_claims(2000, seed=1)
    sides = Counter(claim["who"].split()[0] for claim in claims)
    assert sides.most_common(1)[0][0] == "Russian"
    assert sides["Ukrainian"] > 0
    assert len(sides) >= 4  # a few others too
    assert 0 < sum(1 for claim in claims if claim.get("per") == "day") < 200
    assert {claim["date"].count("-") for claim in claims} == {0, 1, 2}  # YYYY, -MM, -MM-DD
    assert any(isinstance(claim["figure"], list) for claim in claims)
    assert all(1 <= len(claim["caveats"]) <= 3 for claim in claims)
    assert len({claim["claimant"] for claim in claims}) >= 30
    assert any("url" in claim for claim in claims)
    assert any("aliases" in claim for claim in claims)


SITE: Final = "/venv/lib/python3.11/site-packages"
STDLIB: Final = "/usr/lib/python3.11"


def test_a_quick_run_measures_only_the_target_size_with_few_rounds() -> None:
    quick = parse_args(["--quick"])
    assert quick.sizes == [TARGET_SIZE]
    assert quick.repeat < parse_args([]).repeat
    assert parse_args(["--quick", "--sizes", "300"]).sizes == [300]


def test_a_profile_sample_belongs_to_its_innermost_known_part() -> None:
    ptb = f"Bot.send_message ({SITE}/telegram/_bot.py:1138)"
    # PTB logging a line is logging's cost, not PTB's.
    assert classify([ptb, f"Logger.debug ({STDLIB}/logging/__init__.py:1465)"]) == "logging"
    # The generic standard library goes to its caller: a regex in the renderer is rendering.
    render = "render_claim (/work/main/bot/render.py:120)"
    assert classify([ptb, render, f"sub ({STDLIB}/re/__init__.py:185)"]) == "rendering"
    assert classify([f"dumps ({STDLIB}/json/__init__.py:231)"]) == "other"
    # Our transport is the HTTP client, not our handlers.
    transport = "AiohttpRequest.do_request (/work/main/bot/transport.py:140)"
    assert classify([ptb, transport]) == "HTTP client"


def test_a_profile_counts_every_sample_of_a_raw_stack_file() -> None:
    lines = [
        f"run ({STDLIB}/asyncio/events.py:80);search (/work/main/bot/search/index.py:180) 7",
        f"run ({STDLIB}/asyncio/events.py:80) 3",
        "not a stack line",
    ]
    parts, leaves = read_raw(lines)
    assert parts == {"search": 7, "event loop": 3}
    assert sum(leaves.values()) == 10


@pytest.mark.slow
def test_benchmark_smoke_run_prints_every_row() -> None:
    completed = subprocess.run(
        [sys.executable, str(RUN), "--sizes", "300", "--updates", "40", "--repeat", "2"],
        cwd=RUN.parents[2],
        capture_output=True,
        text=True,
        timeout=900,  # three bot processes and two imports; generous for a busy CI machine
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-4000:]
    lines = completed.stdout.splitlines()
    assert lines[0].startswith("Machine: ")
    for metric in METRICS:
        assert any(line.startswith(metric) for line in lines), (metric, completed.stdout)
    # Beside the baseline, the bot against an echo bot on its own transport, at both sizes.
    same = [line for line in lines if f"vs {SAME_TRANSPORT_ECHO.label} echo" in line]
    assert len(same) == 6, completed.stdout
    # A harness failure shows as "error"/ERROR in the table rather than as a crash.
    assert "ERROR" not in completed.stdout, completed.stdout + completed.stderr[-4000:]
    assert " error " not in completed.stdout, completed.stdout
