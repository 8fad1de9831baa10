"""``python -m bot draft`` and ``eval-drafts``: drafting works offline, from file to import."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.builders import ROOT
from helpers.processes import run_cli

SEEDS = ROOT.parent / "shared" / "seeds"


def test_draft_prints_each_draft_with_the_sentence_it_came_from(tmp_path: Path) -> None:
    done = run_cli("draft", str(next(iter(sorted(SEEDS.glob("*.txt"))))), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Draft 1:" in done.stdout
    assert "From the text: " in done.stdout
    assert "9,861 Russian soldiers killed" in done.stdout


def test_drafts_as_json_import_offline(tmp_path: Path, database_url: str) -> None:
    article = next(iter(sorted(SEEDS.glob("*.txt"))))
    drafted = run_cli("draft", str(article), "--json", cwd=tmp_path)
    assert drafted.returncode == 0, drafted.stderr
    document = json.loads(drafted.stdout)
    assert document["claims"]
    assert all(claim["key"].startswith("draft-") for claim in document["claims"])
    path = tmp_path / "drafts.json"
    path.write_text(drafted.stdout, encoding="utf-8")
    imported = run_cli("import", str(path), cwd=tmp_path, database_url=database_url)
    assert imported.returncode == 0, imported.stderr
    assert f"{len(document['claims'])} added" in imported.stdout


def test_draft_from_a_missing_file_says_so(tmp_path: Path) -> None:
    done = run_cli("draft", "no-such-article.txt", cwd=tmp_path)
    assert done.returncode == 2
    assert "Cannot read no-such-article.txt" in done.stderr
    assert "Traceback" not in done.stderr


def test_draft_refuses_a_link_into_the_local_network(tmp_path: Path) -> None:
    done = run_cli("draft", "http://127.0.0.1:9/article", cwd=tmp_path)
    assert done.returncode == 2
    assert "private or local network" in done.stderr


def test_eval_drafts_prints_precision_recall_and_field_accuracy(tmp_path: Path) -> None:
    done = run_cli("eval-drafts", str(ROOT / "tests" / "data" / "articles"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    header = done.stdout.splitlines()[0]
    for column in ("precision", "recall", "claimant"):
        assert column in header
