"""Answer outcomes for every question set, as plain data, so a change shows up as a diff.

An outcome is what search decided (claims in order with their scores, the no-answer reason,
suggestions, newer figures) and what the user reads (the rendered private answer, in plain
text). Regenerate the fixture after a change to answers that is meant::

    python tests/helpers/snapshot.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Final

HERE: Final = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE.parent)]  # the root first: see tests/bench/run.py

from bench.synthetic import generate_claims  # noqa: E402

from bot.evaluate import load_questions  # noqa: E402
from bot.render import PLAIN, render_answer  # noqa: E402
from bot.search import ClaimIndex, SearchResult  # noqa: E402
from helpers.builders import ROOT, document, public_claims  # noqa: E402

SNAPSHOT_FILE: Final = ROOT / "tests" / "data" / "answer_snapshot.json"
QUESTION_SETS: Final = sorted((ROOT / "tests" / "data").glob("*questions*.json"))
SYNTHETIC_CLAIMS: Final = 2_048


def outcome(result: SearchResult, *, rendered: bool) -> dict[str, Any]:
    keys = {match.claim.id: match.claim.key for match in result.matches}
    found: dict[str, Any] = {
        "matches": [[match.claim.key, round(match.score, 6)] for match in result.matches],
        "reason": result.why,
        "suggestions": [claim.key for claim in result.suggestions],
        "newer": {keys[i]: claim.key for i, claim in sorted(result.newer.items())},
    }
    if rendered:
        found["answer"] = render_answer(result, PLAIN)
    return found


def indexes() -> dict[str, ClaimIndex]:
    synthetic = document(*generate_claims(SYNTHETIC_CLAIMS, seed=7))
    return {"seed": ClaimIndex(public_claims()), "synthetic": ClaimIndex(public_claims(synthetic))}


def snapshot() -> dict[str, Any]:
    """Every question set's outcomes over the seed claims and over the synthetic ones."""
    questions = [q.q for path in QUESTION_SETS for q in load_questions(path)]
    return {
        name: {q: outcome(index.search(q), rendered=name == "seed") for q in questions}
        for name, index in indexes().items()
    }


if __name__ == "__main__":
    SNAPSHOT_FILE.write_text(
        json.dumps(snapshot(), ensure_ascii=False, indent=1, sort_keys=True) + "\n",
        encoding="utf-8",
    )
    print(f"wrote {SNAPSHOT_FILE}")
