"""Where the bot's CPU goes while it answers a burst: py-spy samples, grouped by part.

    python tests/bench/profile.py [--size 0] [--updates 1000] [--raw FILE] [--top 15]
                                  [--echo [httpx|aiohttp]]

Starts the real ``python -m bot run`` against the fake Bot API (``TELEGRAM_RATE_LIMIT=false``,
as in run.py), on the seed claims (``--size 0``) or on that many synthetic ones, attaches
py-spy once it polls, pushes the burst, and prints each part's share of the busy samples:
PTB, the HTTP client, the event loop, search, store, rendering, translations, logging, the
limiter and our handlers (``--echo``: the same for the sequential echo bot, on PTB's httpx, the
baseline, or on the bot's own aiohttp transport). py-spy is
not a project dependency: ``pip install py-spy``.

A sample goes to the part of its innermost frame that belongs to one; frames of the generic
standard library (re, json, dataclasses...) go to whoever called them.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Final

TESTS_DIR: Final = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(TESTS_DIR.parent), str(TESTS_DIR)]

from helpers.fake_telegram import FakeTelegram  # noqa: E402
from helpers.processes import bot_env, bot_process, stop  # noqa: E402

from bench.run import (  # noqa: E402
    QUESTIONS,
    READY_TIMEOUT,
    WARM_UP_CHATS,
    drive,
    echo_process,
    log,
    wait_for_calls,
)
from bench.synthetic import generate_claims  # noqa: E402
from store import create_db_engine, import_claims  # noqa: E402

SAMPLE_RATE: Final = 250  # per second
PROFILE_CHATS: Final = 400_000_000

# (part, path fragments), tried in order on each frame's file name. The first part whose
# fragment a frame's file holds is that frame's part.
PARTS: Final[tuple[tuple[str, tuple[str, ...]], ...]] = (
    ("logging", ("/logging/", "/bot/logs.py")),
    ("translations", ("/bot/i18n.py", "/babel/", "/gettext.py")),
    ("rendering", ("/bot/render.py",)),
    ("limiter", ("/bot/security.py", "/bot/limits.py", "/limits/", "/aiolimiter/",
                 "_aioratelimiter.py")),
    ("search", ("/bot/search/", "/bot/text.py", "/bot/lexicon.py", "/bot/compare.py",
                "/bot/common_words.py",
                "/rapidfuzz/", "/numpy/", "/pymorphy3", "/wordfreq/")),
    ("store", ("/store/", "/bot/service.py", "/sqlalchemy/", "/sqlmodel/", "/sqlite3/",
               "/pydantic")),
    ("HTTP client", ("/bot/transport.py", "/aiohttp/", "/yarl/", "/multidict/",
                     "/aiohappyeyeballs/", "/propcache/", "/httpx/", "/httpcore/", "/h11/",
                     "/anyio/", "/sniffio/", "/ssl.py", "/socket.py")),
    ("handlers (ours)", ("/bot/handlers.py", "/bot/context.py", "/bot/domain.py", "/bot/")),
    ("PTB", ("/telegram/",)),
    ("event loop", ("/asyncio/", "/selectors.py", "/concurrent/", "/threading.py",
                    "/queue.py")),
)  # fmt: skip
OTHER: Final = "other"


def frame_file(frame: str) -> str:
    """The file of a py-spy raw frame, ``function (path:line)``."""
    inside = frame.rsplit(" (", 1)[-1].rstrip(")")
    return inside.rsplit(":", 1)[0]


def part_of(path: str) -> str | None:
    for part, fragments in PARTS:
        if any(fragment in path for fragment in fragments):
            return part
    return None


def classify(stack: Sequence[str]) -> str:
    """The part of the innermost frame that has one (a raw stack is outermost first)."""
    for frame in reversed(stack):
        part = part_of(frame_file(frame))
        if part is not None:
            return part
    return OTHER


def read_raw(lines: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    """Samples per part, and per innermost function (for the top list)."""
    parts: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    for line in lines:
        stack_text, _, count_text = line.rstrip("\n").rpartition(" ")
        if not stack_text or not count_text.isdigit():
            continue
        stack = stack_text.split(";")
        parts[classify(stack)] += int(count_text)
        leaves[shorten(stack[-1])] += int(count_text)
    return parts, leaves


def shorten(frame: str) -> str:
    """``function (.../site-packages/pkg/mod.py:12)`` as ``function (pkg/mod.py:12)``."""
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in frame:
            head, _, tail = frame.partition(" (")
            return f"{head} ({tail.split(marker, 1)[-1]}"
    return frame


def breakdown(parts: Counter[str], leaves: Counter[str], top: int) -> str:
    total = sum(parts.values()) or 1
    lines = [f"{'part':<18} {'samples':>8} {'share':>7}", f"{'-' * 18} {'-' * 8} {'-' * 7}"]
    for part, count in parts.most_common():
        lines.append(f"{part:<18} {count:>8} {count / total:>7.1%}")
    lines += ["", f"Top {top} functions by own samples:"]
    for frame, count in leaves.most_common(top):
        lines.append(f"{count / total:>6.1%}  {frame}")
    return "\n".join(lines)


def prepare_database(workdir: Path, size: int) -> str:
    """A fresh database for the bot to seed (size 0), or one holding ``size`` claims."""
    url = f"sqlite:///{workdir / f'profile-{size}.db'}"
    if size:
        log(f"importing {size:,} synthetic claims")
        engine = create_db_engine(url)
        import_claims(engine=engine, document={"claims": generate_claims(size)}, actor="bench")
        engine.dispose()
    return url


async def profile_burst(
    url: str, workdir: Path, updates: int, raw: Path, echo: str | None
) -> float:
    """Run the bot, sample it with py-spy over the burst; the burst's answers per second."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    async with FakeTelegram() as fake:
        env = bot_env(fake, url, TELEGRAM_RATE_LIMIT="false", LOG_LEVEL="WARNING")
        env.pop("WEBHOOK_URL", None)
        env |= {  # the fastest echo here: sequential
            "BENCH_ECHO_CONCURRENCY": "0",
            "BENCH_ECHO_POOL": "1",
            "BENCH_ECHO_TRANSPORT": echo or "httpx",
        }
        spawn = echo_process if echo else bot_process
        async with spawn(env, workdir, workdir / "profile.log") as child:
            await wait_for_calls(fake, child, "deleteWebhook", 1, READY_TIMEOUT)
            await drive(fake, len(QUESTIONS), PROFILE_CHATS - WARM_UP_CHATS)  # as run.py does
            sampler = await asyncio.create_subprocess_exec(
                spy, "record", "--pid", str(child.pid), "--format", "raw", "--full-filenames",
                "--gil", "-r", str(SAMPLE_RATE), "-o", str(raw),
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            await asyncio.sleep(1.0)  # py-spy attaches
            result = await drive(fake, updates, PROFILE_CHATS)
            sampler.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
            _, errors = await asyncio.wait_for(sampler.communicate(), timeout=30)
            await stop(child)
    if sampler.returncode not in (0, -signal.SIGINT):
        raise RuntimeError(f"py-spy failed: {errors.decode(errors='replace')[-500:]}")
    return result.per_second


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=0, help="synthetic claims (0: the seed)")
    parser.add_argument("--updates", type=int, default=1000, help="questions pushed at once")
    parser.add_argument("--raw", type=Path, help="keep py-spy's raw stacks in this file")
    parser.add_argument("--top", type=int, default=15, help="functions listed by own samples")
    parser.add_argument(
        "--echo", nargs="?", const="httpx", choices=("httpx", "aiohttp"),
        help="profile the echo bot instead, on this transport (httpx, PTB's default)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="casualty-profile-") as tmp:
        workdir = Path(tmp)
        raw = args.raw or workdir / "profile.txt"
        url = prepare_database(workdir, args.size)
        log(f"profiling a burst of {args.updates} questions")
        started = time.monotonic()
        rate = asyncio.run(profile_burst(url, workdir, args.updates, raw, args.echo))
        if not raw.exists():
            print("py-spy wrote no samples", file=sys.stderr)
            return 1
        parts, leaves = read_raw(raw.read_text().splitlines())
    size = f"{args.size:,} synthetic claims" if args.size else "the seed claims"
    if args.echo:
        size = f"the echo bot (sequential, {args.echo})"
    print(f"Bot CPU by part, {args.updates} questions at once, {size}; {rate:.0f} answers/s")
    print(f"under py-spy at {SAMPLE_RATE} samples/s (busy samples only)")
    print(f"run took {time.monotonic() - started:.0f} s\n")
    print(breakdown(parts, leaves, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
