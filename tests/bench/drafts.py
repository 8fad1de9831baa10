"""Benchmark: drafting claims from a 2,000-word article, against one plain search.

    python tests/bench/drafts.py [--words 2000] [--repeat 7]

The article is the two seed articles followed by development articles (tests/data/articles)
until it has at least ``--words`` words. ``draft_claims`` over it is timed in CPU time, once
cold (its word caches empty) and then ``--repeat`` times; one ``ClaimIndex.search`` over the
seed claims is timed the same way in the same run. Prints both medians, their ratio, and the
target (drafting under 0.5 s). The exit code is 0 whatever the numbers: this is a
measurement, not a test.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final

# Run as a script, only tests/bench/ is on sys.path; the project root and tests/ go first.
TESTS_DIR: Final = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS_DIR.parent), str(TESTS_DIR)]

from helpers.builders import public_claims  # noqa: E402

from bot.extract import Article, draft_claims, read_article  # noqa: E402
from bot.search import ClaimIndex  # noqa: E402

SEEDS: Final = TESTS_DIR.parents[1] / "shared" / "seeds"
ARTICLES: Final = TESTS_DIR / "data" / "articles"
TARGET_SECONDS: Final = 0.5
QUESTION: Final = "How many Russian soldiers died in Bakhmut?"


def build_article(words: int) -> Article:
    """The seed articles, then development articles, until the text has ``words`` words."""
    paths = sorted(SEEDS.glob("*.txt")) + sorted(ARTICLES.glob("*.txt"))
    parts: list[str] = []
    for path in paths:
        if sum(len(part.split()) for part in parts) >= words:
            break
        parts.append(read_article(path.read_text(encoding="utf-8")).text)
    return Article(text="\n\n".join(parts))


def cpu_seconds(work: Callable[[], object], repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        work()
        times.append(time.process_time() - start)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args(argv)
    article = build_article(args.words)
    index = ClaimIndex(public_claims())
    index.search(QUESTION)  # the index's own first-use costs are not a search's
    cold = cpu_seconds(lambda: draft_claims(article), 1)[0]
    drafting = statistics.median(cpu_seconds(lambda: draft_claims(article), args.repeat))
    searching = statistics.median(cpu_seconds(lambda: index.search(QUESTION), args.repeat))
    drafts = len(draft_claims(article))
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"machine: {platform.machine()} {python}")
    print(f"article: {len(article.text.split())} words, {drafts} drafts")
    print(f"draft_claims cold (s):   {cold:.3f}")
    print(f"draft_claims median (s): {drafting:.3f}   target < {TARGET_SECONDS}   "
          f"{'PASS' if drafting < TARGET_SECONDS else 'FAIL'}")  # fmt: skip
    print(f"search median (s):       {searching:.5f}")
    print(f"ratio (draft / search):  {drafting / searching:.0f}" if searching else "ratio: -")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
