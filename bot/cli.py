"""``python -m bot`` and ``casualty-bot``: ask offline, import, export, seed, run the bot."""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import urllib.request
from collections.abc import Sequence
from dataclasses import fields, replace
from pathlib import Path

from bot.compare import asks_to_compare, compare, comparison_of
from bot.config import ConfigError, Settings, load_settings
from bot.evaluate import evaluate, load_questions
from bot.i18n import LANGUAGES, get_locale
from bot.logs import setup_logging
from bot.render import PLAIN, render_answer, render_comparison, render_no_answer
from bot.search import WEIGHTS, ClaimIndex, Weights
from bot.service import Answerer, seed_if_empty
from bot.text import detect_language
from bot.webhook import HEALTH_PATH, database_ok
from store import (
    ClaimValidationError,
    create_db_engine,
    describe_database,
    ensure_meta,
    export_claims,
    import_claims,
    seed_claims,
)
from store.migrate import current_revision, upgrade

HEALTH_TIMEOUT_SECONDS = 3.0  # seconds; a container health check must answer promptly

log = logging.getLogger("bot")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="casualty-bot",
        description="Casualty figures with their claimants, dates and caveats.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    ask = commands.add_parser("ask", help="answer a question offline from the local database")
    ask.add_argument(
        "question", nargs="+", help='e.g. "How many Russian soldiers died in Bakhmut?"'
    )
    ask.add_argument(
        "--lang",
        choices=LANGUAGES,
        help="language of the answer's labels (default: the question's)",
    )

    imp = commands.add_parser(
        "import",
        help="store all claims of a JSON file, or none; a backup into an empty database "
        "is restored exactly",
    )
    imp.add_argument("file", type=Path, help='a {"claims": [...]} document, or a backup')

    exp = commands.add_parser(
        "export",
        help="write a backup: every claim with its history, as JSON (stdout by default)",
    )
    exp.add_argument("file", type=Path, nargs="?", help="where to write; omit for stdout")

    comparing = commands.add_parser("compare", help="every claim on a topic, and the spread")
    comparing.add_argument("topic", nargs="+", help='e.g. "Russian soldiers killed"')
    comparing.add_argument("--lang", choices=LANGUAGES, help="language of the labels")
    charting = commands.add_parser("chart", help="draw how the claims on a topic diverge (PNG)")
    charting.add_argument("topic", nargs="+", help='e.g. "Russian soldiers killed"')
    charting.add_argument("-o", "--output", type=Path, required=True, help="PNG file to write")
    charting.add_argument("--lang", choices=LANGUAGES, help="language of the labels")
    commands.add_parser("seed", help="add missing seed claims; never overwrites edited ones")
    _add_eval(commands)
    commands.add_parser(
        "run", help="run the Telegram bot: webhooks if WEBHOOK_URL is set, else long polling"
    )
    commands.add_parser("health", help="exit 0 if the bot (webhook mode) or database is up")
    db = commands.add_parser("db", help="database schema commands")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_commands.add_parser("upgrade", help="apply every pending schema migration")
    db_commands.add_parser("current", help="print the schema revision")
    return parser


def _add_eval(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``eval``: the quality report, with claims and weights to try."""
    evaluation = commands.add_parser(
        "eval", help="answer-quality report: top-1, MAP@5, no-answer and per-language accuracy"
    )
    evaluation.add_argument("files", type=Path, nargs="+", help="question sets (JSON)")
    evaluation.add_argument("--misses", action="store_true", help="list every wrong answer")
    evaluation.add_argument(
        "--claims",
        type=Path,
        metavar="FILE",
        help="ask over the seed claims and this claims file (JSON), in a scratch database",
    )
    evaluation.add_argument(
        "--weight",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        type=_weight,
        help="rank with one of the ranker's weights changed, e.g. exact_place=30 (repeatable)",
    )


def _setup_logging(settings: Settings, *, default: str) -> None:
    level = settings.log_level if "log_level" in settings.model_fields_set else default
    setup_logging(level, secrets=settings.secrets())


def _ask(settings: Settings, question: str, lang: str | None) -> int:
    engine = create_db_engine(settings.database_url)
    seed_if_empty(engine=engine, seed_file=settings.seed_file)
    loc = get_locale(lang or detect_language(question))
    index = Answerer(engine).index()
    result = index.search(question)
    comparison = comparison_of(index, result) if asks_to_compare(result) else None
    print(
        render_comparison(comparison, PLAIN, loc)
        if comparison
        else render_answer(result, PLAIN, loc)
    )
    return 0


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}") from None


def _import(settings: Settings, path: Path, *, seeding: bool = False) -> int:
    document = _read_json(path)
    engine = create_db_engine(settings.database_url)
    try:
        if seeding:
            report = seed_claims(engine=engine, document=document)
        else:
            report = import_claims(engine=engine, document=document, actor="cli")
    except ClaimValidationError as exc:
        print(f"Nothing was imported: {len(exc.errors)} problem(s) in {path}:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    print(f"{path}: {report.summary()}")
    return 0


def _export(settings: Settings, path: Path | None) -> int:
    engine = create_db_engine(settings.database_url)
    backup = export_claims(engine=engine)
    text = json.dumps(backup, ensure_ascii=False, indent=2) + "\n"
    if path is None:
        sys.stdout.write(text)
    else:
        path.write_text(text, encoding="utf-8")
        counts = f"{len(backup['claims'])} claims, {len(backup['audit'])} audit records"
        print(f"wrote {path}: {counts}", file=sys.stderr)
    return 0


def _db(settings: Settings, command: str) -> int:
    engine = create_db_engine(settings.database_url, migrate=False)
    if command == "upgrade":
        upgrade(engine)
        ensure_meta(engine=engine)
    with engine.connect() as connection:
        print(f"{describe_database(engine)}: schema revision {current_revision(connection)}")
    engine.dispose()
    return 0


def _health(settings: Settings) -> int:
    if settings.webhook_url:
        url = f"http://127.0.0.1:{settings.port}{HEALTH_PATH}"
        try:
            with urllib.request.urlopen(url, timeout=HEALTH_TIMEOUT_SECONDS) as response:
                healthy = response.status == 200
        except OSError as exc:
            print(f"unhealthy: {url}: {exc}", file=sys.stderr)
            return 1
    else:
        engine = create_db_engine(settings.database_url, migrate=False)
        healthy = database_ok(engine)
        engine.dispose()
    print("healthy" if healthy else "unhealthy")
    return 0 if healthy else 1


def _compare(settings: Settings, topic: str, lang: str | None, output: Path | None) -> int:
    engine = create_db_engine(settings.database_url)
    seed_if_empty(engine=engine, seed_file=settings.seed_file)
    loc = get_locale(lang or detect_language(topic))
    result, comparison = compare(Answerer(engine).index(), topic)
    if comparison is None:
        print(render_no_answer(result, PLAIN, loc))  # no empty chart: say so instead
        return 1 if output else 0
    if output is None:
        print(render_comparison(comparison, PLAIN, loc))
        return 0
    from bot.chart import render_chart  # matplotlib only when a chart is asked for

    chart = render_chart(comparison, loc)
    output.write_bytes(chart.png)
    print(f"{output}: {chart.caption}")
    return 0


def _weight(text: str) -> tuple[str, float]:
    """A ``NAME=VALUE`` weight change for ``eval``; argparse reports what is wrong."""
    name, _, value = text.partition("=")
    if name not in {field.name for field in fields(Weights)}:
        known = ", ".join(field.name for field in fields(Weights))
        raise argparse.ArgumentTypeError(f"{name!r} is not a weight; the weights are: {known}")
    try:
        return name, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None


def _eval(
    settings: Settings,
    files: list[Path],
    *,
    misses: bool,
    weights: list[tuple[str, float]],
    claims: Path | None,
) -> int:
    if claims is None:
        engine = create_db_engine(settings.database_url)
        seed_if_empty(engine=engine, seed_file=settings.seed_file)
        index = Answerer(engine, weights=replace(WEIGHTS, **dict(weights))).index()
        engine.dispose()
        _print_reports(index, files, misses=misses)
        return 0
    # The seed claims and the file's, in a scratch database: the configured one is untouched.
    with tempfile.TemporaryDirectory() as scratch:
        engine = create_db_engine(f"sqlite:///{Path(scratch) / 'eval.db'}")
        seed_if_empty(engine=engine, seed_file=settings.seed_file)
        import_claims(engine=engine, document=_read_json(claims), actor="eval")
        index = Answerer(engine, weights=replace(WEIGHTS, **dict(weights))).index()
        _print_reports(index, files, misses=misses)
        engine.dispose()
    return 0


def _print_reports(index: ClaimIndex, files: list[Path], *, misses: bool) -> None:
    for path in files:
        try:
            questions = load_questions(path)
        except (OSError, ValueError, KeyError) as exc:
            raise ConfigError(f"{path} is not a question set: {exc}") from None
        report = evaluate(index, questions)
        print(f"{path} ({len(questions)} questions, {len(index)} claims)")
        print(report.summary())
        if misses:
            print("\n".join(f"  miss: {failure}" for failure in report.failures))
        print()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m bot`` and ``casualty-bot``."""
    args = _parser().parse_args(argv)
    try:
        settings = load_settings()
        _setup_logging(settings, default="INFO" if args.command == "run" else "WARNING")
        if args.command == "ask":
            return _ask(settings, " ".join(args.question), args.lang)
        if args.command == "import":
            return _import(settings, args.file)
        if args.command == "export":
            return _export(settings, args.file)
        if args.command == "seed":
            return _import(settings, settings.seed_file, seeding=True)
        if args.command in ("compare", "chart"):
            output = args.output if args.command == "chart" else None
            return _compare(settings, " ".join(args.topic), args.lang, output)
        if args.command == "eval":
            return _eval(
                settings, args.files, misses=args.misses, weights=args.weight, claims=args.claims
            )
        if args.command == "db":
            return _db(settings, args.db_command)
        if args.command == "health":
            return _health(settings)
        from bot.app import run_bot  # only "run" needs Telegram

        return run_bot(settings)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception:  # a crash at start-up: one logged event, not a raw traceback
        log.critical("%s failed", args.command, exc_info=True)
        return 1
