"""Answers do not change by accident: every question set's outcomes match the fixture.

After a change to answers that is meant, regenerate it (``python tests/helpers/snapshot.py``)
and read the diff: it is the change's effect on what users are told.
"""

from __future__ import annotations

import json

import pytest
from helpers.snapshot import SNAPSHOT_FILE, snapshot


@pytest.fixture(scope="module")
def outcomes() -> dict[str, dict[str, object]]:
    return snapshot()


@pytest.mark.parametrize("store", ["seed", "synthetic"])
def test_every_question_gets_the_answer_in_the_snapshot(
    outcomes: dict[str, dict[str, object]], store: str
) -> None:
    expected = json.loads(SNAPSHOT_FILE.read_text(encoding="utf-8"))[store]
    changed = [q for q in expected if outcomes[store].get(q) != expected[q]]
    assert not changed, f"{len(changed)} answers changed, first: {changed[:3]}"
    assert outcomes[store].keys() == expected.keys()
