"""The draft evaluator: pairs drafts with expected claims by figure and scores each field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.evaluate_drafts import evaluate_drafts, same_claimant


def _write(directory: Path, name: str, text: str, claims: list[dict[str, object]]) -> None:
    (directory / f"{name}.txt").write_text(text, encoding="utf-8")
    meta = {"url": None, "title": None, "published": "2025-03-10", "lang": "en", "claims": claims}
    (directory / f"{name}.json").write_text(json.dumps(meta), encoding="utf-8")


def _claim(
    figure: int, measure: str = "killed", claimant: str = "UN monitors"
) -> dict[str, object]:
    return {"figure": figure, "measure": measure, "who": "Ukrainian civilians",
            "claimant": claimant, "date": "2025-03"}  # fmt: skip


def test_a_figure_drafted_right_and_one_missed_give_full_precision_and_half_recall(
    tmp_path: Path,
) -> None:
    text = "UN monitors said 41 Ukrainian civilians were killed in Kharkiv in March."
    _write(tmp_path, "one", text, [_claim(41), _claim(77)])
    report = evaluate_drafts(tmp_path)
    assert report.overall.precision == 1.0
    assert report.overall.recall == 0.5
    assert report.overall.accuracy("claimant") == 1.0
    assert any(problem.kind == "missed" for problem in report.problems)


def test_a_drafted_figure_no_one_expected_lowers_precision(tmp_path: Path) -> None:
    text = "UN monitors said 41 Ukrainian civilians were killed and 90 were wounded."
    _write(tmp_path, "one", text, [_claim(41)])
    report = evaluate_drafts(tmp_path)
    assert report.overall.precision == 0.5
    assert report.overall.recall == 1.0


def test_a_wrong_field_counts_against_its_accuracy_only(tmp_path: Path) -> None:
    text = "UN monitors said 41 Ukrainian civilians were killed in Kharkiv in March."
    _write(tmp_path, "one", text, [_claim(41, measure="wounded")])
    report = evaluate_drafts(tmp_path)
    assert report.overall.accuracy("measure") == 0.0
    assert report.overall.accuracy("claimant") == 1.0


def test_the_summary_has_a_row_per_language_and_one_for_all(tmp_path: Path) -> None:
    _write(tmp_path, "one", "UN monitors said 41 Ukrainian civilians were killed.", [_claim(41)])
    lines = evaluate_drafts(tmp_path).summary().splitlines()
    assert lines[0].split()[:5] == ["articles", "expected", "drafted", "precision", "recall"]
    assert [line.split()[0] for line in lines[1:]] == ["en", "all"]


@pytest.mark.parametrize(
    ("drafted", "expected", "same"),
    [
        ("Russian ministry of defense", "Russian Ministry of Defence (leaked)", True),
        ("Zetnik", "Zetnik (pro-Kremlin blogger)", True),
        ("Сергій Шойгу", "Russian Ministry of Defence (Sergei Shoigu)", True),
        ("Медиазона", "Mediazona", True),
        ("Українські посадовці", "Ukrainian officials", True),
        ("UK Ministry of Defence", "Russian Ministry of Defence", False),
        ("US intelligence", "Western intelligence", False),
        ("Oryx", "UN monitors", False),
    ],
)
def test_claimants_are_compared_by_source_not_by_spelling(
    drafted: str, expected: str, same: bool
) -> None:
    assert same_claimant(drafted, expected) is same


def test_the_drafting_benchmark_prints_its_numbers() -> None:
    script = Path(__file__).parents[1] / "bench" / "drafts.py"
    result = subprocess.run(
        [sys.executable, str(script), "--words", "300", "--repeat", "1"],
        capture_output=True,
        text=True,
        check=True,
    )
    for row in ("draft_claims median (s)", "search median (s)", "ratio (draft / search)"):
        assert row in result.stdout
