"""Which words are common in a language: every word of wordfreq's small list (seen at least
once per million words), held as sorted 64-bit hashes.

Loaded, wordfreq's tables and its lists for English, Ukrainian and Russian take about 40 MB, a
quarter of the bot's memory; their hashes take 1 MB. So the lists are read in a child process
(``python -m bot.common_words``), never in the bot, and the hashes are kept in the cache
directory for the next start, under wordfreq's version. A collision between 64-bit hashes of
140,000 words is about as likely as one in 10^9 starts.

Standard library and numpy only here: wordfreq itself is imported by the child alone.
"""

from __future__ import annotations

import hashlib
import logging
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Mapping
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from bot.cache_dir import cache_path, replace_file

log = logging.getLogger(__name__)

LANGUAGES: Final = ("en", "uk", "ru")
WORDLIST: Final = "small"
CHILD_TIMEOUT_SECONDS: Final = 120.0

Hashes = npt.NDArray[np.uint64]


def word_hash(word: str) -> int:
    """A word's 64-bit hash, as wordfreq spells it: NFC, case folded."""
    folded = unicodedata.normalize("NFC", word).casefold()
    return int.from_bytes(hashlib.blake2b(folded.encode(), digest_size=8).digest(), "little")


def is_common(word: str, lang: str) -> bool:
    """Whether ``word`` is in wordfreq's small list for ``lang`` (False for other languages)."""
    hashes = _hashes().get(lang)
    if hashes is None or not len(hashes):
        return False
    target = np.uint64(word_hash(word))
    at = int(np.searchsorted(hashes, target))
    return at < len(hashes) and bool(hashes[at] == target)


def cache_file() -> Path:
    """Where the hashes are kept, under wordfreq's version (see ``bot.cache_dir``)."""
    return cache_path(f"common-words-wordfreq-{version('wordfreq')}.npz")


@cache
def _hashes() -> Mapping[str, Hashes]:
    path = cache_file()
    found = _read(path)
    if found is None:
        found = _from_child(path)
    if found is None:  # no child could run: read the lists here, at their memory's cost
        log.warning("common words read in this process: wordfreq's lists stay in memory")
        found = build()
    return found


def _read(path: Path) -> dict[str, Hashes] | None:
    try:
        with np.load(path) as stored:
            found = {lang: stored[lang].astype(np.uint64, copy=False) for lang in LANGUAGES}
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):  # absent or damaged
        return None
    if any(len(hashes) == 0 for hashes in found.values()):
        return None
    return found


def _from_child(path: Path) -> dict[str, Hashes] | None:
    """The hashes, written by a child process to ``path`` (or to a temporary file if the
    cache directory cannot be written); None if the child failed."""
    with tempfile.TemporaryDirectory(prefix="casualty-words-") as spare:
        for target in (path, Path(spare) / path.name):
            try:
                subprocess.run(
                    [sys.executable, "-m", "bot.common_words", str(target)],
                    check=True,
                    capture_output=True,
                    timeout=CHILD_TIMEOUT_SECONDS,
                )
            except (OSError, subprocess.SubprocessError) as exc:
                log.debug("common words: the child writing %s failed: %s", target, exc)
                continue
            found = _read(target)
            if found is not None:
                return found
    return None


def build() -> dict[str, Hashes]:
    """Every word of each language's small list, hashed and sorted (imports wordfreq)."""
    from wordfreq import iter_wordlist

    return {
        lang: np.unique(
            np.fromiter((word_hash(w) for w in iter_wordlist(lang, WORDLIST)), np.uint64)
        )
        for lang in LANGUAGES
    }


def write(path: Path, hashes: Mapping[str, Hashes]) -> None:
    """Write the hashes so that a reader never sees half a file."""
    arrays: dict[str, Any] = dict(hashes)  # numpy's stub types **kwds as its own flags
    replace_file(path, lambda handle: np.savez(handle, **arrays))


def main(argv: list[str]) -> int:
    """``python -m bot.common_words [FILE]``: write the hashes (to the cache by default, as a
    Docker build does, so that no container needs the child)."""
    if len(argv) > 1:
        print("usage: python -m bot.common_words [FILE]", file=sys.stderr)
        return 2
    path = Path(argv[0]) if argv else cache_file()
    try:
        write(path, build())
    except OSError as exc:
        print(f"cannot write {path}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
