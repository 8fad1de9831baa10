"""Common words: the hashes the bot holds say what wordfreq's lists say, and are rebuilt when
the cached file is missing, damaged or cannot be written."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from wordfreq import zipf_frequency

from bot import common_words
from bot.common_words import cache_file, is_common
from bot.text import detect_language
from bot.vocabulary import DIRECTORY

SEED = Path(__file__).resolve().parents[2] / "seed_claims.json"
# Names the bot must read as names, and ordinary words it must not.
NAMES = (("kofman", "en"), ("tigray", "en"), ("сирський", "uk"), ("сырский", "ru"))
WORDS = (("siege", "en"), ("soldiers", "en"), ("загинули", "uk"), ("погибли", "ru"))


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty cache directory, and no hashes loaded yet in this process."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    common_words._hashes.cache_clear()
    yield tmp_path
    common_words._hashes.cache_clear()


def known_words() -> set[str]:
    """Every word of the vocabulary files and the seed claims."""
    texts = [path.read_text(encoding="utf-8") for path in DIRECTORY.glob("*.toml")]
    texts.append(json.dumps(json.loads(SEED.read_text(encoding="utf-8")), ensure_ascii=False))
    return {word for text in texts for word in re.findall(r"[^\W\d_]+", text.casefold())}


def test_common_words_agree_with_wordfreq_on_every_word_the_bot_knows() -> None:
    words = {(word, detect_language(word)) for word in known_words()} | set(NAMES) | set(WORDS)
    assert len(words) > 1000
    for word, lang in sorted(words):
        expected = zipf_frequency(word, lang, wordlist="small") >= 3.0
        assert is_common(word, lang) == expected, (word, lang)
    assert not any(is_common(name, lang) for name, lang in NAMES)
    assert all(is_common(word, lang) for word, lang in WORDS)


def test_a_word_is_common_however_it_is_capitalised() -> None:
    assert is_common("Soldiers", "en")
    assert is_common("ЗАГИНУЛИ", "uk")


def test_a_missing_cache_is_written_by_a_child_and_read_at_the_next_start(
    fresh_cache: Path,
) -> None:
    assert not cache_file().exists()
    assert is_common("siege", "en")
    assert cache_file().is_relative_to(fresh_cache)
    assert cache_file().stat().st_size > 100_000
    common_words._hashes.cache_clear()
    assert is_common("siege", "en")
    assert not is_common("kofman", "en")


def test_a_damaged_cache_file_is_replaced(fresh_cache: Path) -> None:
    cache_file().parent.mkdir(parents=True)
    cache_file().write_bytes(b"PK\x03\x04 half a file")
    assert is_common("загинули", "uk")
    assert not is_common("сирський", "uk")
    assert cache_file().stat().st_size > 100_000


def test_an_unwritable_cache_directory_still_gives_the_right_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("a file where the cache directory should be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    common_words._hashes.cache_clear()
    try:
        assert is_common("солдат", "ru")
        assert not is_common("сырский", "ru")
    finally:
        common_words._hashes.cache_clear()


def test_another_language_has_no_common_words() -> None:
    assert not is_common("soldat", "de")
