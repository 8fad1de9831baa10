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
from bot.failures import explain
from bot.i18n import LANGUAGES, get_locale
from bot.logs import setup_logging
from bot.render import PLAIN, render_answer, render_claim, render_comparison, render_no_answer
from bot.search import WEIGHTS, ClaimIndex, Weights
from bot.service import Answerer, seed_if_empty
from bot.text import detect_language
from bot.webhook import HEALTH_PATH, database_ok
from store import (
    ClaimPublic,
    ClaimValidationError,
    CsvError,
    claims_csv,
    create_db_engine,
    describe_database,
    ensure_meta,
    export_claims,
    import_claims,
    import_csv,
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

    _add_import_export(commands)
    comparing = commands.add_parser("compare", help="every claim on a topic, and the spread")
    comparing.add_argument("topic", nargs="+", help='e.g. "Russian soldiers killed"')
    comparing.add_argument("--lang", choices=LANGUAGES, help="language of the labels")
    charting = commands.add_parser("chart", help="draw how the claims on a topic diverge (PNG)")
    charting.add_argument("topic", nargs="+", help='e.g. "Russian soldiers killed"')
    charting.add_argument("-o", "--output", type=Path, required=True, help="PNG file to write")
    charting.add_argument("--lang", choices=LANGUAGES, help="language of the labels")
    commands.add_parser("seed", help="add missing seed claims; never overwrites edited ones")
    _add_eval(commands)
    _add_drafting(commands)
    commands.add_parser(
        "run", help="run the Telegram bot: webhooks if WEBHOOK_URL is set, else long polling"
    )
    commands.add_parser("health", help="exit 0 if the bot (webhook mode) or database is up")
    db = commands.add_parser("db", help="database schema commands")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="DB_COMMAND")
    db_commands.add_parser("upgrade", help="apply every pending schema migration")
    db_commands.add_parser("current", help="print the schema revision")
    return parser


def _add_import_export(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``import`` and ``export``: JSON or CSV, chosen by the file's extension."""
    import_help = (
        "store all claims of a JSON or CSV file, or none; a JSON backup into an empty "
        "database is restored exactly"
    )
    imp = commands.add_parser("import", help=import_help, description=import_help)
    imp.add_argument(
        "file",
        type=Path,
        help="a .csv file (a header row of field names, then one claim a row) or a JSON "
        '{"claims": [...]} document or backup; a .csv extension means CSV, any other JSON',
    )

    export_help = (
        "write every claim, retracted ones too (stdout by default). JSON is the full backup: "
        "claims with their ids, times and audit records. CSV holds the claims only, "
        "without the audit records, for spreadsheets"
    )
    exp = commands.add_parser("export", help=export_help, description=export_help)
    exp.add_argument(
        "file", type=Path, nargs="?", help="where to write (.json or .csv); omit for stdout"
    )
    exp.add_argument(
        "--format",
        choices=("csv", "json"),
        help="the format on stdout (default json); a file's .csv or .json extension chooses it",
    )


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


def _add_drafting(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``draft`` and ``eval-drafts``: claims proposed from an article, and their quality."""
    drafting = commands.add_parser(
        "draft", help="propose the claims in an article (a .txt or .html file, or a link)"
    )
    drafting.add_argument("source", help="a .txt or .html file, or an http(s) link")
    drafting.add_argument(
        "--json",
        action="store_true",
        help='print the drafts as {"claims": [...]} in the import format, to edit and import',
    )
    quality = commands.add_parser(
        "eval-drafts", help="draft quality: figure precision and recall, field accuracy"
    )
    quality.add_argument(
        "directory", type=Path, help="articles (NAME.txt) with their expected claims (NAME.json)"
    )


def _draft(settings: Settings, source: str, *, as_json: bool) -> int:
    import asyncio  # drafting needs the extractor and httpx: loaded for this command only

    from bot.drafting import drafts_of, fetch_article, import_document, preview
    from bot.extract import read_article
    from bot.fetch import FetchError

    if source.startswith(("http://", "https://")):
        try:
            article = asyncio.run(fetch_article(source, settings))
        except FetchError as exc:
            raise ConfigError(f"cannot draft from {source}: {exc}") from None
    else:
        path = Path(source)
        kind = "text/html" if path.suffix.lower() in (".html", ".htm") else "text/plain"
        article = read_article(_read_bytes(path), content_type=kind)
    drafted = drafts_of(article)
    if as_json:
        print(json.dumps(import_document(drafted), ensure_ascii=False, indent=2))
        return 0
    print(f"{len(drafted)} drafts from {article.title or source}\n")
    for number, (draft, claim) in enumerate(drafted, start=1):
        shown = preview(claim, key=f"draft-{number}")
        if isinstance(shown, ClaimPublic):
            body = render_claim(shown, PLAIN, stored=False)
        else:
            body = f"needs a correction: {shown}\n{json.dumps(claim, ensure_ascii=False)}"
        print(f"Draft {number}:\n{body}\nFrom the text: {draft.evidence}\n")
    return 0


def _eval_drafts(directory: Path) -> int:
    from bot.evaluate_drafts import evaluate_drafts

    if not directory.is_dir():
        raise ConfigError(f"{directory} is not a directory of articles")
    print(evaluate_drafts(directory).summary())
    return 0


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


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"Cannot read {path}: {exc.strerror}") from None


def _read_json(path: Path) -> object:
    try:
        return json.loads(_read_bytes(path).decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError) as exc:
        raise ConfigError(f"{path} is not valid JSON: {exc}") from None


def _import(settings: Settings, path: Path, *, seeding: bool = False) -> int:
    # The extension picks the format; the seed file is always JSON, as the bot seeds from it too.
    data = _read_bytes(path) if not seeding and path.suffix.lower() == ".csv" else None
    document = _read_json(path) if data is None else None
    engine = create_db_engine(settings.database_url)
    try:
        if data is not None:
            report = import_csv(engine=engine, data=data, actor="cli")
        elif seeding:
            report = seed_claims(engine=engine, document=document)
        else:
            report = import_claims(engine=engine, document=document, actor="cli")
    except CsvError as exc:
        raise ConfigError(f"Cannot import {path}: {exc}") from None
    except ClaimValidationError as exc:
        print(f"Nothing was imported: {len(exc.errors)} problem(s) in {path}:", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    print(f"{path}: {report.summary()}")
    return 0


def _export(settings: Settings, path: Path | None, output_format: str | None = None) -> int:
    named = {".csv": "csv", ".json": "json"}.get(path.suffix.lower()) if path else None
    if named and output_format and named != output_format:
        raise ConfigError(f"{path} is a .{named} file, but --format asks for {output_format}")
    as_csv = (named or output_format) == "csv"
    engine = create_db_engine(settings.database_url)
    backup = export_claims(engine=engine, include_audit=not as_csv)
    if as_csv:
        text = claims_csv(backup["claims"])
        counts = f"{len(backup['claims'])} claims (CSV has no audit records; JSON is the backup)"
    else:
        text = json.dumps(backup, ensure_ascii=False, indent=2) + "\n"
        counts = f"{len(backup['claims'])} claims, {len(backup['audit'])} audit records"
    if path is None:
        sys.stdout.write(text)
    else:
        # A byte-order mark makes Excel read the file as UTF-8; the CSV import accepts it.
        path.write_text(text, encoding="utf-8-sig" if as_csv else "utf-8", newline="")
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
            return _export(settings, args.file, args.format)
        if args.command == "seed":
            return _import(settings, settings.seed_file, seeding=True)
        if args.command in ("compare", "chart"):
            output = args.output if args.command == "chart" else None
            return _compare(settings, " ".join(args.topic), args.lang, output)
        if args.command == "eval":
            return _eval(
                settings, args.files, misses=args.misses, weights=args.weight, claims=args.claims
            )
        if args.command == "draft":
            return _draft(settings, args.source, as_json=args.json)
        if args.command == "eval-drafts":
            return _eval_drafts(args.directory)
        if args.command == "db":
            return _db(settings, args.db_command)
        if args.command == "health":
            return _health(settings)
        from bot.app import run_bot  # only "run" needs Telegram

        return run_bot(settings)
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # one line an operator can act on; the traceback at DEBUG
        return _failed(args.command, exc)


def _failed(command: str, exc: Exception) -> int:
    settings = _settings_or_none()
    known = explain(
        exc,
        database_url=settings.database_url if settings else "",
        telegram_url=settings.telegram_base_url if settings else "",
    )
    log.debug("%s failed", command, exc_info=True)
    if known is None:
        known = f"{command} failed: {type(exc).__name__}: {exc} (LOG_LEVEL=DEBUG shows where)"
    print(f"error: {known}", file=sys.stderr)
    return 1


def _settings_or_none() -> Settings | None:
    try:
        return load_settings()
    except ConfigError:
        return None
