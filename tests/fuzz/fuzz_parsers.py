"""Coverage-guided fuzzing (atheris, libFuzzer) of what admins type and upload.

Not a test: pytest collects only ``test_*.py``. See README.md beside this file to run it;
crashes it finds go into ``tests/test_fuzz_regressions.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Final

TESTS: Final = Path(__file__).resolve().parents[1]


def main() -> None:
    # atheris is not a project dependency: only whoever fuzzes installs it.
    import atheris  # type: ignore[import-untyped,import-not-found,unused-ignore]

    # helpers.* as pytest's rootdir import gives them; the root first, or tests/bot and
    # tests/store would stand in for the bot and store packages.
    sys.path[:0] = [str(TESTS.parent), str(TESTS)]
    # Coverage feedback only from the project's code, not from pydantic or SQLAlchemy.
    with atheris.instrument_imports(include=["bot", "store"]):
        from helpers.fuzzing import check
    atheris.Setup(sys.argv, check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
