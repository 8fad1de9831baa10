"""Answer quality on the question sets, with the numbers printed and the bars enforced."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.builders import DEV_SET, ROOT, public_claims
from helpers.processes import run_cli

from bot.evaluate import Report, evaluate, load_questions
from bot.search import ClaimIndex

DATA = ROOT / "tests" / "data"
DEV_SETS = (DEV_SET, DATA / "dev_questions_multilingual.json")
HELD_OUT = DATA / "heldout_questions.json"
TOP1_BARS = {"en": 0.95, "uk": 0.85, "ru": 0.85}  # per language, answerable questions
NO_ANSWER_BAR = 0.95


def report_for(*paths: Path, capsys: pytest.CaptureFixture[str]) -> Report:
    report = evaluate(ClaimIndex(public_claims()), load_questions(*paths))
    with capsys.disabled():
        names = " + ".join(path.name for path in paths)
        print(f"\n--- {names} ---\n{report.summary()}")
        for failure in report.failures:
            print(f"  miss: {failure}")
    return report


def test_development_set_is_big_varied_and_multilingual() -> None:
    questions = load_questions(*DEV_SETS)
    negatives = [q for q in questions if not q.expect]
    assert len(questions) >= 150
    assert len([q for q in questions if q.lang in ("uk", "ru") and q.expect]) >= 30
    assert len(negatives) >= 30
    assert {"paraphrase", "typo", "partial", "claimant", "place", "number"} <= {
        q.kind for q in questions if q.expect
    }


@pytest.mark.parametrize("paths", [DEV_SETS, (HELD_OUT,)], ids=["development", "held-out"])
def test_answers_meet_the_quality_bars(
    paths: tuple[Path, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    report = report_for(*paths, capsys=capsys)
    for lang, bar in TOP1_BARS.items():
        assert report.lang(lang).top1_accuracy >= bar, lang
    assert report.no_answer_accuracy >= NO_ANSWER_BAR


def test_eval_command_prints_the_quality_report(tmp_path: Path) -> None:
    done = run_cli("eval", str(HELD_OUT), "--misses", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "top-1 accuracy" in done.stdout
    assert "MAP@5" in done.stdout
    assert "no-answer" in done.stdout
    for lang in ("en", "uk", "ru"):
        assert lang in done.stdout.splitlines()[1]


def test_eval_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    done = run_cli("eval", str(tmp_path / "nope.json"), cwd=tmp_path)
    assert done.returncode == 2
    assert "is not a question set" in done.stderr


def test_eval_ranks_with_a_weight_changed_on_the_command_line(tmp_path: Path) -> None:
    usual = run_cli("eval", str(DEV_SET), cwd=tmp_path)
    # Places that match exactly now cost points: questions naming a place go wrong.
    swept = run_cli("eval", str(DEV_SET), "--weight", "exact_place=-100", cwd=tmp_path)
    assert swept.returncode == usual.returncode == 0, swept.stderr
    assert swept.stdout.splitlines()[2] != usual.stdout.splitlines()[2]  # the top-1 row


def test_eval_names_the_weights_when_given_an_unknown_one(tmp_path: Path) -> None:
    done = run_cli("eval", str(DEV_SET), "--weight", "luck=3", cwd=tmp_path)
    assert done.returncode == 2
    assert "'luck' is not a weight" in done.stderr
    assert "exact_place" in done.stderr
