"""Answer quality on the question sets, with the numbers printed and the bars enforced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.builders import DEV_SET, ROOT, document, public_claims, seed_document
from helpers.processes import run_cli

from bot.evaluate import Report, evaluate, load_questions
from bot.search import ClaimIndex

DATA = ROOT / "tests" / "data"
DEV_SETS = (DEV_SET, DATA / "dev_questions_multilingual.json")
HELD_OUT = DATA / "heldout_questions.json"
REAL_CLAIMS = DATA / "realworld" / "claims.json"
REAL_DEV = DATA / "realworld" / "dev_questions.json"
REAL_HELD_OUT = DATA / "realworld" / "heldout_questions.json"
REAL_FRESH = DATA / "realworld" / "fresh_questions.json"  # a second blind set, late in the work
FIRST_SHOWN_BARS = {"en": 0.95, "uk": 0.90, "ru": 0.90}  # the claim a private answer leads with
GROUP_BAR = 0.90  # the one claim a group answer shows
NO_ANSWER_BAR = 0.95
HELD_OUT_FLOORS = {"en": 0.95, "uk": 0.85, "ru": 0.85}  # tuned on by an earlier session
REAL_WRONG_CEILING = 0  # the bar, on the real-world development set too


def report_for(
    *paths: Path, capsys: pytest.CaptureFixture[str], index: ClaimIndex | None = None
) -> Report:
    report = evaluate(index or ClaimIndex(public_claims()), load_questions(*paths))
    with capsys.disabled():
        names = " + ".join(path.name for path in paths)
        print(f"\n--- {names} ---\n{report.summary()}")
        for failure in report.failures:
            print(f"  miss: {failure}")
    return report


@pytest.fixture(scope="module")
def real_index() -> ClaimIndex:
    real = json.loads(REAL_CLAIMS.read_text(encoding="utf-8"))
    return ClaimIndex(public_claims(document(*seed_document()["claims"], *real["claims"])))


def test_development_set_is_big_varied_and_multilingual() -> None:
    questions = load_questions(*DEV_SETS)
    negatives = [q for q in questions if not q.expect]
    assert len(questions) >= 150
    assert len([q for q in questions if q.lang in ("uk", "ru") and q.expect]) >= 30
    assert len(negatives) >= 30
    assert {"paraphrase", "typo", "partial", "claimant", "place", "number"} <= {
        q.kind for q in questions if q.expect
    }


def test_real_world_set_is_sourced_and_written_in_three_languages() -> None:
    claims = json.loads(REAL_CLAIMS.read_text(encoding="utf-8"))["claims"]
    questions = load_questions(REAL_DEV, REAL_HELD_OUT)
    assert len(claims) >= 120
    assert all(claim["url"].startswith(("https://", "http://")) for claim in claims)
    assert len(questions) >= 250
    assert {q.lang for q in questions} == {"en", "uk", "ru"}
    assert 0.3 <= len(load_questions(REAL_HELD_OUT)) / len(questions) <= 0.37  # a third held back


def test_rendered_answers_on_the_development_sets_meet_the_bars(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = report_for(*DEV_SETS, capsys=capsys)
    for lang, bar in FIRST_SHOWN_BARS.items():
        assert report.lang(lang).first_shown_accuracy >= bar, lang
    assert report.total.group_accuracy >= GROUP_BAR
    assert report.total.no_answer_accuracy >= NO_ANSWER_BAR
    assert report.total.wrong_attribution == 0
    assert report.total.wrong_side == 0
    assert report.total.wrong_subject == 0


def test_rendered_answers_on_the_old_held_out_set_hold_their_floor(
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = report_for(HELD_OUT, capsys=capsys)
    for lang, bar in HELD_OUT_FLOORS.items():
        assert report.lang(lang).first_shown_accuracy >= bar, lang
    assert report.total.no_answer_accuracy >= NO_ANSWER_BAR
    # One known miss: "американці в березні 2022 оцінювали…" names the estimators
    # three words before the verb that makes them the source.
    assert report.total.wrong_attribution <= 1
    assert report.total.wrong_side == report.total.wrong_subject == 0


def test_real_world_answers_meet_the_bars(
    real_index: ClaimIndex, capsys: pytest.CaptureFixture[str]
) -> None:
    report = report_for(REAL_DEV, capsys=capsys, index=real_index)
    for lang, bar in FIRST_SHOWN_BARS.items():
        assert report.by_lang[lang].first_shown_accuracy >= bar, lang
    assert report.total.group_accuracy >= GROUP_BAR
    assert report.total.no_answer_accuracy >= NO_ANSWER_BAR
    assert report.total.wrong_attribution <= REAL_WRONG_CEILING
    assert report.total.wrong_side <= REAL_WRONG_CEILING
    assert report.total.wrong_subject <= REAL_WRONG_CEILING


@pytest.mark.parametrize("path", [REAL_HELD_OUT, REAL_FRESH], ids=["held-out", "fresh"])
def test_real_world_blind_sets_are_measured(
    real_index: ClaimIndex, capsys: pytest.CaptureFixture[str], path: Path
) -> None:
    report = report_for(path, capsys=capsys, index=real_index)
    assert report.total.answerable + report.total.negatives == len(load_questions(path))


def test_eval_command_prints_the_quality_report(tmp_path: Path) -> None:
    done = run_cli("eval", str(HELD_OUT), "--misses", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for row in ("first shown", "group answer", "no-answer", "wrong attribution", "wrong side"):
        assert row in done.stdout
    assert "wrong subject" in done.stdout
    for lang in ("en", "uk", "ru"):
        assert lang in done.stdout.splitlines()[1]


def test_eval_command_adds_a_claims_file_to_the_stored_claims(tmp_path: Path) -> None:
    done = run_cli("eval", "--claims", str(REAL_CLAIMS), str(REAL_DEV), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert f"({len(load_questions(REAL_DEV))} questions, 231 claims)" in done.stdout


def test_eval_of_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    done = run_cli("eval", str(tmp_path / "nope.json"), cwd=tmp_path)
    assert done.returncode == 2
    assert "is not a question set" in done.stderr


def test_eval_ranks_with_a_weight_changed_on_the_command_line(tmp_path: Path) -> None:
    usual = run_cli("eval", str(DEV_SET), cwd=tmp_path)
    # Places that match exactly now cost points: questions naming a place go wrong.
    swept = run_cli("eval", str(DEV_SET), "--weight", "exact_place=-100", cwd=tmp_path)
    assert swept.returncode == usual.returncode == 0, swept.stderr
    assert swept.stdout.splitlines()[2] != usual.stdout.splitlines()[2]  # first shown


def test_eval_names_the_weights_when_given_an_unknown_one(tmp_path: Path) -> None:
    done = run_cli("eval", str(DEV_SET), "--weight", "luck=3", cwd=tmp_path)
    assert done.returncode == 2
    assert "'luck' is not a weight" in done.stderr
    assert "exact_place" in done.stderr
