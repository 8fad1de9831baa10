"""Start the real ``python -m bot run`` process against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import aiohttp

from helpers.fake_telegram import FakeTelegram
from helpers.updates import ADMIN_ID

STARTUP_SECONDS: Final = 30.0  # generous: a cold interpreter on a busy CI machine
WEBHOOK_SECRET: Final = "test-webhook-secret_0123456789"
SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"


def run_cli(
    *args: str, cwd: Path, database_url: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` to completion, in a clean environment plus ``env``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    if database_url:
        environment["DATABASE_URL"] = database_url
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def bot_env(fake: FakeTelegram, database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    env |= {
        "BOT_TOKEN": fake.token,
        "TELEGRAM_BASE_URL": fake.base_url,
        "DATABASE_URL": database_url,
        "ADMIN_IDS": str(ADMIN_ID),
        "LOG_LEVEL": "DEBUG",  # the most verbose level must still never print a secret
    }
    return env | extra


def webhook_env(fake: FakeTelegram, database_url: str, port: int) -> dict[str, str]:
    return bot_env(
        fake,
        database_url,
        WEBHOOK_URL="https://bot.example.org/telegram",
        WEBHOOK_SECRET=WEBHOOK_SECRET,
        LISTEN="127.0.0.1",
        PORT=str(port),
    )


@asynccontextmanager
async def bot_process(
    env: dict[str, str], workdir: Path, log: Path
) -> AsyncIterator[asyncio.subprocess.Process]:
    """The bot as a child process, killed at the end if a test did not stop it."""
    with log.open("ab") as output:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            cwd=workdir,
            env=env,
            stdout=output,
            stderr=output,
        )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def stop(process: asyncio.subprocess.Process) -> int:
    """SIGTERM, as a supervisor sends it; the exit code."""
    process.send_signal(signal.SIGTERM)
    return await asyncio.wait_for(process.wait(), timeout=20)


async def wait_healthy(port: int) -> dict[str, Any]:
    """Poll /healthz until it says 200."""
    deadline = asyncio.get_running_loop().time() + STARTUP_SECONDS
    async with aiohttp.ClientSession() as session:
        while True:
            try:
                async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                    if response.status == 200:
                        body: dict[str, Any] = await response.json(content_type=None)
                        return body
            except aiohttp.ClientConnectionError:
                pass
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the bot on port {port} never became healthy")
            await asyncio.sleep(0.2)


async def post_update(
    port: int, update: dict[str, Any], secret: str | None = WEBHOOK_SECRET
) -> int:
    """POST one update to a webhook replica; the HTTP status."""
    headers = {SECRET_HEADER: secret} if secret is not None else {}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"http://127.0.0.1:{port}/telegram", json=update, headers=headers) as response,
    ):
        return response.status


def has(text: str) -> Callable[[dict[str, Any]], bool]:
    """A wait_for predicate: the sent text contains ``text``."""
    return lambda params: text in str(params.get("text", ""))


@dataclass(frozen=True)
class Replicas:
    """Two webhook replicas on one database, healthy: their ports and processes."""

    ports: tuple[int, int]
    processes: tuple[asyncio.subprocess.Process, asyncio.subprocess.Process]


@asynccontextmanager
async def two_replicas(
    fake: FakeTelegram, database_url: str, workdir: Path, **env: str
) -> AsyncIterator[Replicas]:
    """Replicas A and B (logs in ``a.log`` and ``b.log``), both healthy, with ``env`` added."""
    ports = (free_port(), free_port())
    envs = [webhook_env(fake, database_url, port) | env for port in ports]
    async with (
        bot_process(envs[0], workdir, workdir / "a.log") as replica_a,
        bot_process(envs[1], workdir, workdir / "b.log") as replica_b,
    ):
        await asyncio.gather(*(wait_healthy(port) for port in ports))  # both seed at once
        yield Replicas(ports, (replica_a, replica_b))
