"""Files the bot keeps between runs so that it starts faster: ``$XDG_CACHE_HOME/casualty-bot``.

Each file is derived from an installed package's data (its version is in the file's name), so
losing one costs only the time to make it again.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

APP_DIRECTORY = "casualty-bot"


def cache_path(name: str) -> Path:
    """Where a cache file ``name`` is kept (under ``~/.cache`` when XDG_CACHE_HOME is unset)."""
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / APP_DIRECTORY / name


def replace_file(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write ``path`` through ``write`` so that a reader never sees half a file (OSError if
    the directory cannot be written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=path.suffix, delete=False) as handle:
        try:
            write(handle)
        except BaseException:
            handle.close()
            Path(handle.name).unlink(missing_ok=True)
            raise
    written = Path(handle.name)
    written.chmod(0o644)  # mkstemp makes it 0600; another user may run the bot
    written.replace(path)
