"""Faults: a burst of updates, a locked SQLite file, a lost PostgreSQL server, a full disk and
SIGTERM mid-import. Each time the bot keeps answering, earlier claims stay intact, and an
interrupted import leaves no partial claims."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from bench.synthetic import generate_claims
from conftest import kill_connections
from helpers.builders import SEED_FILE
from helpers.fake_telegram import FakeTelegram
from helpers.processes import STARTUP_SECONDS, bot_env, bot_process, run_cli, stop
from helpers.updates import ADMIN_ID, USER_ID, message, private_text
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from store import count_claims, create_db_engine, export_claims, import_claims

Send = Any
QUESTION = "How many Russian soldiers died in Bakhmut?"


def snapshot(engine: Engine) -> dict[str, Any]:
    """Every claim and audit record, as a backup holds them (without its own timestamp)."""
    backup = export_claims(engine=engine)
    backup.pop("exported_at", None)
    return backup


def answers(fake: FakeTelegram, chat_id: int = USER_ID) -> list[str]:
    return [str(call["text"]) for call in fake.sent_messages() if call["chat_id"] == chat_id]


@pytest.mark.slow
async def test_a_burst_of_1000_updates_across_200_chats_is_answered_exactly_once(
    fake_telegram: FakeTelegram, database_url: str, tmp_path: Path
) -> None:
    # No flood limits: a self-hosted Bot API server has none, and this measures our side.
    env = bot_env(fake_telegram, database_url, TELEGRAM_RATE_LIMIT="false", LOG_LEVEL="WARNING")
    async with bot_process(env, tmp_path, tmp_path / "bot.log") as bot:
        await fake_telegram.wait_for("setMyCommands", count=9, timeout=STARTUP_SECONDS)
        questions = ["kp leak", QUESTION, "russian losses per day", "uk mod", "bbc"]
        started = time.monotonic()
        for n in range(1000):
            fake_telegram.push_update(private_text(questions[n % 5], user_id=10_000 + n % 200))
        assert time.monotonic() - started < 1.0  # the burst arrives within a second
        await fake_telegram.wait_for("sendMessage", count=1000, timeout=120)
        await asyncio.sleep(1.0)  # room for any duplicate to show up
        per_chat = Counter(call["chat_id"] for call in fake_telegram.sent_messages())
        assert len(per_chat) == 200
        assert set(per_chat.values()) == {5}  # every question answered, none twice
        assert await stop(bot) == 0


def test_questions_and_admin_writes_wait_out_a_locked_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'claims.db'}"
    engine = create_db_engine(url)
    import_claims(engine=engine, document=json.loads(SEED_FILE.read_text()), actor="cli")
    before = snapshot(engine)
    locker = sqlite3.connect(tmp_path / "claims.db", check_same_thread=False)
    locker.execute("BEGIN IMMEDIATE")  # another writer holds the lock...
    release = threading.Timer(1.5, locker.commit)  # ...for a second and a half
    release.start()
    started = time.monotonic()
    extra = {"claims": [{"key": "late-writer", "figure": 1, "measure": "killed",
                         "who": "Russian troops", "claimant": "Test", "date": "2024"}]}  # fmt: skip
    report = import_claims(engine=engine, document=extra, actor="cli")  # waits, then writes
    waited = time.monotonic() - started
    release.join()
    locker.close()
    assert waited >= 1.0
    assert report.added == ["late-writer"]
    after = snapshot(engine)
    assert after["claims"][: len(before["claims"])] == before["claims"]  # nothing lost
    engine.dispose()


async def test_questions_are_answered_while_an_admin_write_waits_for_the_lock(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the file lock is SQLite's")
    path = database_url.removeprefix("sqlite:///")
    locker = sqlite3.connect(path, check_same_thread=False)
    locker.execute("BEGIN IMMEDIATE")
    line = "/addclaim 7 | Russian troops killed in Kherson, 2022 | Locked test | 2022 | x"
    writing = asyncio.create_task(send(private_text(line, user_id=ADMIN_ID)))
    await asyncio.sleep(0.3)
    await send(private_text(QUESTION))  # WAL: readers are not blocked by the writer
    assert "More than 100,000" in answers(fake_telegram)[-1]
    locker.commit()
    locker.close()
    await writing
    assert answers(fake_telegram, ADMIN_ID)[-1].startswith("Stored as #")


def test_a_lost_postgresql_server_mid_import_leaves_no_partial_claims(postgres_url: str) -> None:
    engine = create_db_engine(postgres_url)
    import_claims(engine=engine, document=json.loads(SEED_FILE.read_text()), actor="cli")
    before = snapshot(engine)
    big = {"claims": generate_claims(30_000, seed=5)}
    failure: list[BaseException] = []

    def run() -> None:
        try:
            import_claims(engine=engine, document=big, actor="cli")
        except OperationalError as exc:
            failure.append(exc)

    importer = threading.Thread(target=run)
    importer.start()
    while importer.is_alive():  # keep cutting the server off until the import gives up
        time.sleep(0.3)
        kill_connections(postgres_url)
    importer.join()
    assert failure, "the import should have failed when its connection died"
    assert snapshot(engine) == before  # all or nothing
    assert count_claims(engine=engine) == len(before["claims"])  # and the store still answers
    engine.dispose()


def _cap_file_size(engine: Engine, pages: int) -> None:
    # SQLite's own "database or disk is full" path: no file may grow past this many pages.
    @event.listens_for(engine, "connect")
    def cap(connection: Any, _record: Any) -> None:
        connection.execute(f"PRAGMA max_page_count = {pages}")


async def test_a_full_disk_during_import_is_reported_and_stores_nothing(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any, database_url: str
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("the page cap is SQLite's")
    engine = bot_app.bot_data["deps"].engine
    engine.dispose()
    size = await asyncio.to_thread(os.path.getsize, database_url.removeprefix("sqlite:///"))
    _cap_file_size(engine, pages=size // 4096 + 40)  # a few pages of room, then "disk full"
    before = snapshot(engine)
    content = json.dumps({"claims": generate_claims(3_000, seed=9)}).encode()
    document = fake_telegram.add_file(content, "big.json")
    upload = message(None, user_id=ADMIN_ID, document=document)
    await send(private_text("/import", user_id=ADMIN_ID, reply_to=upload))
    assert answers(fake_telegram, ADMIN_ID)[-1].startswith("Nothing was imported: the database")
    assert snapshot(engine) == before
    await send(private_text(QUESTION))
    assert "More than 100,000" in answers(fake_telegram)[-1]  # still answering


@pytest.mark.slow
def test_sigterm_during_an_import_leaves_no_partial_claims(
    database_url: str, tmp_path: Path
) -> None:
    seed = run_cli("seed", cwd=tmp_path, database_url=database_url)
    assert seed.returncode == 0, seed.stderr
    big = tmp_path / "big.json"
    big.write_text(json.dumps({"claims": generate_claims(60_000, seed=11)}))
    env = {"DATABASE_URL": database_url}
    command = [sys.executable, "-m", "bot", "import", str(big)]
    process = subprocess.Popen(command, cwd=tmp_path, env=_env(env), stderr=subprocess.PIPE)
    time.sleep(4.0)  # start-up, reading and validating: the writing is under way by now
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)
    assert process.returncode != 0
    engine = create_db_engine(database_url)
    assert count_claims(engine=engine) == 17  # the seed claims, and not one more
    engine.dispose()
    asked = run_cli("ask", QUESTION, cwd=tmp_path, database_url=database_url)
    assert "More than 100,000" in asked.stdout


def _env(extra: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))} | extra
