"""All configuration, from environment variables and ``.env``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Final

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
