"""Ukrainian lemmas that start-up needs, kept between runs.

Every start lemmatises the same thousand or so words (the vocabulary's and the stored claims')
with pymorphy3, whose pure-Python dictionary takes about 0.2 ms a word and 21 MB: 0.3 s of a
seed-size start on a 2-core machine. So the lemmas looked up until the first index is built
are written to the cache directory, under pymorphy3's version and its dictionary's, and the
next start reads them back; the dictionary itself is then loaded only for a word not on file
(a question's, or a new claim's). Each lemma on file is the one pymorphy3 gave, so no answer
changes.

The file holds only what start-ups used, never questions' words.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Final

from bot.cache_dir import cache_path, replace_file

log = logging.getLogger(__name__)

FORMAT: Final = 1  # bump when what a lemma means changes (the parse options, say)
MAX_KEPT: Final = 20_000  # words on file: about 1 MB, read in a few milliseconds


def lemma_file() -> Path | None:
    """The cache file, named by what its lemmas depend on: pymorphy3's version and when its
    Ukrainian dictionary was compiled (read from the dictionary's small ``meta.json``, since
    ``importlib.metadata`` takes 50 ms). None if the dictionary cannot say."""
    import pymorphy3
    import pymorphy3_dicts_uk

    try:
        meta = dict(json.loads(Path(pymorphy3_dicts_uk.get_path(), "meta.json").read_bytes()))
        compiled = re.sub(r"\W", "", str(meta["compiled_at"]))
    except (OSError, ValueError, TypeError, KeyError) as exc:
        log.info("Ukrainian lemmas not kept: the dictionary has no readable meta.json (%s)", exc)
        return None
    return cache_path(f"uk-lemmas-{FORMAT}-pymorphy3-{pymorphy3.__version__}-{compiled}.json")


class StartupLemmas:
    """A word's lemma from the file when start-up had it before, else from ``lemmatise``."""

    def __init__(self, path: Path | None, lemmatise: Callable[[str], str]) -> None:
        self._path = path
        self._lemmatise = lemmatise
        self._lock = threading.Lock()
        self._on_file: dict[str, str] | None = None  # read at the first word
        self._used: dict[str, str] | None = {}  # every word looked up until ``keep``; then None

    def lemma(self, word: str) -> str:
        lemma = self._read().get(word)
        if lemma is None:
            lemma = self._lemmatise(word)
        with self._lock:
            if self._used is not None:
                self._used[word] = lemma
        return lemma

    def keep(self) -> bool:
        """After the first index: add what start-up used to the file, if it lacked any of it.
        Later calls do nothing. Whether a file was written (an unwritable cache is logged).

        The file keeps other starts' words too (another database's claims, say), up to
        ``MAX_KEPT``; past that, only this start's. The words on file are let go here: those
        this start used stay in ``normal_form``'s cache, and the rest are not needed.
        """
        with self._lock:
            used, self._used = self._used, None
            on_file, self._on_file = self._on_file or {}, {}
        if used is None or self._path is None or not used.keys() - on_file.keys():
            return False  # done already, nowhere to keep them, or every word was on file
        kept = {**on_file, **used}
        payload = json.dumps(
            kept if len(kept) <= MAX_KEPT else used, ensure_ascii=False, sort_keys=True
        ).encode()
        try:
            replace_file(self._path, lambda handle: handle.write(payload))
        except OSError as exc:
            log.info("lemmas not kept for the next start (%s): %s", self._path, exc)
            return False
        return True

    def _read(self) -> dict[str, str]:
        if self._on_file is None:
            self._on_file = {} if self._path is None else _read_file(self._path)
        return self._on_file


def _read_file(path: Path) -> dict[str, str]:
    """The lemmas on file; none if the file is absent or damaged (it is rewritten then)."""
    try:
        found = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict) or not all(
        isinstance(word, str) and isinstance(lemma, str) and lemma for word, lemma in found.items()
    ):
        log.info("ignoring a damaged lemma file: %s", path)
        return {}
    return found
