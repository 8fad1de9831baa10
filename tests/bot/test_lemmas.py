"""Start-up's Ukrainian lemmas: kept after the first index, read back at the next start without
pymorphy3's dictionary, and never different from what pymorphy3 says."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot import lemmas as lemmas_module
from bot.lemmas import StartupLemmas, lemma_file
from bot.text import normal_form

ROOT = Path(__file__).resolve().parents[2]


class CountingLemmatiser:
    """pymorphy3's part, played by a rule whose calls can be counted."""

    def __init__(self) -> None:
        self.words: list[str] = []

    def __call__(self, word: str) -> str:
        self.words.append(word)
        return word.removesuffix("ів")


def test_a_second_start_reads_start_up_lemmas_without_the_dictionary(tmp_path: Path) -> None:
    path = tmp_path / "lemmas.json"
    first = CountingLemmatiser()
    lemmas = StartupLemmas(path, first)
    assert [lemmas.lemma(w) for w in ("солдатів", "втрати")] == ["солдат", "втрати"]
    assert lemmas.keep()
    second = CountingLemmatiser()
    again = StartupLemmas(path, second)
    assert [again.lemma(w) for w in ("солдатів", "втрати")] == ["солдат", "втрати"]
    assert second.words == []
    assert not again.keep()  # nothing was missing: the file is left as it is


def test_words_looked_up_after_the_first_index_are_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "lemmas.json"
    lemmas = StartupLemmas(path, CountingLemmatiser())
    lemmas.lemma("солдатів")
    assert lemmas.keep()
    assert lemmas.lemma("генералів") == "генерал"  # a question's word: answered, not kept
    assert not lemmas.keep()
    assert json.loads(path.read_text(encoding="utf-8")) == {"солдатів": "солдат"}


def test_a_start_with_new_words_adds_them_to_the_words_other_starts_kept(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lemmas.json"
    path.write_text(json.dumps({"інше": "інше", "солдатів": "солдат"}), encoding="utf-8")
    counting = CountingLemmatiser()
    lemmas = StartupLemmas(path, counting)
    lemmas.lemma("солдатів")
    lemmas.lemma("дронів")
    assert counting.words == ["дронів"]
    assert lemmas.keep()
    kept = json.loads(path.read_text(encoding="utf-8"))
    assert kept == {"дронів": "дрон", "інше": "інше", "солдатів": "солдат"}


def test_a_full_file_keeps_only_the_last_start_s_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lemmas_module, "MAX_KEPT", 3)
    path = tmp_path / "lemmas.json"
    path.write_text(json.dumps({"а": "а", "б": "б", "в": "в"}), encoding="utf-8")
    lemmas = StartupLemmas(path, CountingLemmatiser())
    lemmas.lemma("дронів")
    assert lemmas.keep()
    assert json.loads(path.read_text(encoding="utf-8")) == {"дронів": "дрон"}


@pytest.mark.parametrize(
    "content",
    [b"{half a file", b"[1, 2]", b'{"word": 3}', b'{"word": ""}', b"\xff\xfe"],
    ids=["truncated", "a list", "a number", "an empty lemma", "not utf-8"],
)
def test_a_damaged_lemma_file_is_ignored_and_replaced(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "lemmas.json"
    path.write_bytes(content)
    counting = CountingLemmatiser()
    lemmas = StartupLemmas(path, counting)
    assert lemmas.lemma("word") == "word"
    assert counting.words == ["word"]
    assert lemmas.keep()
    assert json.loads(path.read_text(encoding="utf-8")) == {"word": "word"}


def test_an_unwritable_cache_costs_only_the_next_start(tmp_path: Path) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache directory should be")
    lemmas = StartupLemmas(blocked / "lemmas.json", CountingLemmatiser())
    assert lemmas.lemma("солдатів") == "солдат"
    assert not lemmas.keep()


def test_the_file_is_named_by_the_dictionary_it_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    path = lemma_file()
    assert path is not None
    assert path.is_relative_to(tmp_path)
    assert "pymorphy3" in path.name
    assert any(ch.isdigit() for ch in path.name)


def test_a_lemma_read_from_the_file_is_the_one_pymorphy3_gives() -> None:
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer(lang="uk")
    for word in ("загинуло", "російських", "бахмуті", "авдіївці", "полонених", "в'язнів"):
        assert normal_form(word, "uk") == morph.parse(word)[0].normal_form.replace("'", "")


SECOND_START = """
import json, sys
from pathlib import Path
from bot.service import Answerer, seed_if_empty
from bot.text import _morph_uk
from store import create_db_engine

engine = create_db_engine(sys.argv[1])
seed_if_empty(engine=engine, seed_file=Path("seed_claims.json"))
index = Answerer(engine).index(force=True)
answer = index.search("скільки російських солдатів загинуло в Бахмуті")
print(json.dumps({
    "dictionary_loaded": _morph_uk.cache_info().currsize > 0,
    "first": answer.matches[0].claim.key if answer.matches else None,
}))
"""


def test_the_second_start_answers_alike_without_loading_the_ukrainian_dictionary(
    tmp_path: Path,
) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", SECOND_START, f"sqlite:///{tmp_path / 'claims.db'}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=True,
        )
        runs.append(json.loads(done.stdout.splitlines()[-1]))
    assert runs[0]["dictionary_loaded"]
    assert not runs[1]["dictionary_loaded"]
    assert runs[0]["first"] == runs[1]["first"] is not None
