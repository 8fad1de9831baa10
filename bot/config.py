"""All configuration, from environment variables and ``.env``."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Final
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from store.db import DEFAULT_DATABASE_URL

PROJECT_ROOT: Final = Path(__file__).resolve().parent.parent
TELEGRAM_API: Final = "https://api.telegram.org/bot"


class ConfigError(Exception):
    """Configuration is missing or wrong; the message says what to set."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    database_url: str = DEFAULT_DATABASE_URL
    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    telegram_base_url: str = TELEGRAM_API
    log_level: str = "INFO"
    seed_file: Path = PROJECT_ROOT / "seed_claims.json"
    # Seconds to wait for Telegram before giving up on one request.
    telegram_timeout: float = Field(default=10.0, gt=0)
    # Telegram's flood limits (30 messages a second); off only for a local Bot API server.
    telegram_rate_limit: bool = True
    # Questions one user, and one chat, may ask per window before the bot goes quiet.
    questions_per_user: int = Field(default=20, ge=1)
    questions_per_chat: int = Field(default=40, ge=1)
    question_window_seconds: float = Field(default=60.0, gt=0)
    # Shared counters for flood and send limits across replicas; the database's otherwise.
    redis_url: SecretStr | None = None
    # Telegram's send limits over all replicas together: a little under its 30 a second,
    # so that timing jitter between replicas never tips a second over; 20 a minute a group.
    messages_per_second: int = Field(default=29, ge=1, le=30)
    group_messages_per_minute: int = Field(default=20, ge=1, le=20)
    # Subscriptions: how many one chat may hold, and how delivery retries.
    follows_per_chat: int = Field(default=50, ge=1, le=500)
    delivery_lease_seconds: float = Field(default=30.0, gt=0)  # a dead replica's rows return
    delivery_poll_seconds: float = Field(default=1.0, gt=0)  # without NOTIFY (SQLite)
    delivery_attempts: int = Field(default=8, ge=1)  # 5xx and timeouts, with backoff
    dispatch: bool = True  # a replica that only answers can leave delivery to the others
    # The review queue: drafts from articles become claims only when approved.
    approvals_required: int = Field(default=1, ge=1, le=5)  # 2: a newsroom's four-eyes rule
    draft_days: float = Field(default=14.0, gt=0)  # pending drafts expire after this
    suggestions_per_user: int = Field(default=3, ge=1)  # /suggest per user, per window
    suggestion_window_seconds: float = Field(default=3600.0, gt=0)
    # Fetching articles for /draft URL: short, small, and never into our own network.
    fetch_timeout: float = Field(default=10.0, gt=0)
    fetch_max_bytes: int = Field(default=2_000_000, ge=1_000)
    fetch_private_urls: bool = False  # tests only: lets a local test server be fetched

    # Webhook mode (instead of long polling) when WEBHOOK_URL is set.
    webhook_url: str | None = None
    webhook_secret: SecretStr | None = None
    listen: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        if isinstance(value, str):
            parts = [part.strip() for part in value.replace(";", ",").split(",")]
            try:
                return frozenset(int(part) for part in parts if part)
            except ValueError:
                raise ValueError("ADMIN_IDS must be comma-separated numeric user ids") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
            raise ValueError("LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return level

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str | None) -> str | None:
        if value and not value.startswith("https://") and not value.startswith("http://"):
            raise ValueError("WEBHOOK_URL must be an https:// URL")
        return value or None

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's own rule for secret_token: 1-256 characters of A-Z, a-z, 0-9, _ and -.
        if value is not None and not re.fullmatch(
            r"[A-Za-z0-9_-]{1,256}", value.get_secret_value()
        ):
            raise ValueError("WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ or -")
        return value

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        if not re.match(r"rediss?://", value.get_secret_value()):
            raise ValueError("REDIS_URL must be a redis:// or rediss:// URL")
        return value

    @property
    def webhook_path(self) -> str:
        """The path Telegram POSTs updates to, taken from WEBHOOK_URL."""
        return urlsplit(self.webhook_url or "").path or "/"

    def secrets(self) -> list[str]:
        """Values that must never appear in a log line."""
        return [
            secret.get_secret_value()
            for secret in (self.bot_token, self.webhook_secret, self.redis_url)
            if secret is not None and secret.get_secret_value()
        ]

    def secret_token(self) -> str:
        """The webhook secret, required in webhook mode."""
        if self.webhook_secret is None:
            raise ConfigError(
                "WEBHOOK_SECRET is not set. Webhook mode needs it so that only Telegram can "
                "post updates: use e.g. WEBHOOK_SECRET=$(openssl rand -hex 32)"
            )
        return self.webhook_secret.get_secret_value()

    @property
    def telegram_file_url(self) -> str:
        """Where files are downloaded: the Bot API's ``/file/bot`` next to ``/bot``."""
        base = self.telegram_base_url
        return base[: -len("bot")] + "file/bot" if base.endswith("/bot") else base

    def token(self) -> str:
        """The bot token, or a clear error saying how to provide it."""
        if self.bot_token is None or not self.bot_token.get_secret_value().strip():
            raise ConfigError(
                "BOT_TOKEN is not set. Get a token from @BotFather and put it in the "
                "environment or in .env as BOT_TOKEN=123456:ABC..."
            )
        return self.bot_token.get_secret_value().strip()


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning validation errors into one clear ``ConfigError``."""
    try:
        return Settings(**overrides)
    except ValueError as exc:
        raise ConfigError(f"Invalid configuration: {exc}") from None
