"""Webhook mode: a small HTTP server that feeds Telegram's POSTs into the Application.

Tornado comes with python-telegram-bot's ``webhooks`` extra. We serve our own routes rather
than PTB's built-in server so that ``/healthz`` can report on the database too. Replicas are
stateless: each one takes whatever updates the reverse proxy sends it.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from typing import Any, Final

import tornado.httpserver
import tornado.web
from sqlalchemy import text
from sqlalchemy.engine import Engine
from telegram import Update
from telegram.ext import Application

from bot.config import Settings

log = logging.getLogger(__name__)

SECRET_HEADER: Final = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES: Final = 1024 * 1024  # bytes; a Telegram update is a few kilobytes
HEALTH_PATH: Final = "/healthz"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def database_ok(engine: Engine) -> bool:
    """Whether the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:  # any failure means "not healthy"; the log says which
        log.warning("database health check failed", exc_info=True)
        return False
    return True


class UpdateHandler(tornado.web.RequestHandler):
    """POSTed updates: refused without the right secret, otherwise queued for the bot."""

    def initialize(self, bot_application: AnyApplication, secret: str) -> None:
        self.bot_application = bot_application
        self.secret = secret.encode()

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.secret):  # constant time: no timing oracle
            log.warning("webhook request refused: wrong secret from %s", self.request.remote_ip)
            self.set_status(403)
            return
        if len(self.request.body) > MAX_UPDATE_BYTES:
            self.set_status(413)
            return
        try:
            update = Update.de_json(json.loads(self.request.body), self.bot_application.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            log.warning("webhook request refused: not an update")
            self.set_status(400)
            return
        await self.bot_application.update_queue.put(update)
        self.set_status(200)


class HealthHandler(tornado.web.RequestHandler):
    """GET /healthz: 200 when the bot is running and the database answers, else 503."""

    def initialize(self, bot_application: AnyApplication, engine: Engine) -> None:
        self.bot_application = bot_application
        self.engine = engine

    async def get(self) -> None:
        database = await asyncio.to_thread(database_ok, self.engine)
        running = self.bot_application.running
        self.set_status(200 if database and running else 503)
        self.write({"bot": "ok" if running else "down", "database": "ok" if database else "down"})


def make_web_app(
    application: AnyApplication, settings: Settings, engine: Engine
) -> tornado.web.Application:
    return tornado.web.Application(
        [
            (
                settings.webhook_path,
                UpdateHandler,
                {"bot_application": application, "secret": settings.secret_token()},
            ),
            (HEALTH_PATH, HealthHandler, {"bot_application": application, "engine": engine}),
        ]
    )


async def serve_webhook(application: AnyApplication, settings: Settings, engine: Engine) -> None:
    """Register the webhook, serve until SIGINT or SIGTERM, then stop cleanly."""
    from bot.app import startup, stop_background  # the composition root imports this module

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    web_app = make_web_app(application, settings, engine)
    async with application:
        await startup(application)
        await application.bot.set_webhook(
            url=settings.webhook_url or "",
            secret_token=settings.secret_token(),
            allowed_updates=Update.ALL_TYPES,
        )
        await application.start()
        server = tornado.httpserver.HTTPServer(web_app, max_body_size=MAX_UPDATE_BYTES)
        server.listen(settings.port, settings.listen)
        log.info(
            "serving webhooks on %s:%s%s", settings.listen, settings.port, settings.webhook_path
        )
        await stop.wait()
        log.info("stopping")
        server.stop()
        await server.close_all_connections()
        await stop_background(application)
        await application.stop()
