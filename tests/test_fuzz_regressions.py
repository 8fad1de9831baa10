"""Inputs that once crashed a parser, replayed through the fuzz harness's own ``check``.

The first byte picks the target (see ``helpers.fuzzing.TARGETS``: 0 figure, 1 date,
2 addclaim, 3 edit, 4 import); the rest is what an admin typed or uploaded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pytest
from helpers.builders import claim_dict, document
from helpers.fuzzing import check

from store import ClaimValidationError, validate_document

CORPUS: Final = Path(__file__).resolve().parent / "fuzz" / "corpus"

CRASHES: Final = {
    # atheris: "$" matched before a trailing newline, so check_date returned "2002\n".
    "date-trailing-newline": b"\x012002\n",
    "full-date-trailing-newline": b"\x012024-02-29\n",
    # atheris: a lone surrogate (a legal JSON escape) in a value that an error message
    # echoes made pydantic raise UnicodeEncodeError while listing the errors.
    "lone-surrogate-in-key": b'\x04{"claims": [{"key":"\\ud800"}]}',
    # atheris: an unknown key that is itself "".
    "empty-unknown-key": b'\x04{"claims": [{"": "Russian troops", "wherd": "Ukrai.org/a"}]}',
    "empty-unknown-key-with-figure": (
        b'\x04{"claims": [{"": [9001, 10000], "where": "", "figure": [9000, 10000], '
        b'"quaLifimieats": ["Deleted within hours."],"quaLifimieats": ["Deleted within hours."]'
        b', "url": "https://example.org/a"}]}'
    ),
    # Hypothesis: more than 308 digits overflow float() on the way to "1.5k"-style scaling.
    "float-overflow": b"\x00" + b"9" * 303 + b".5 million",
    # Past 4,300 digits int() refuses to convert (a ValueError of its own).
    "int-digit-limit": b"\x00" + b"9" * 5_000,
    "int-digit-limit-in-addclaim": b"\x02" + b"9" * 5_000 + b" | killed | x | 2024 |",
    # Found while fixing the surrogate key: one in a list item passed validation, and the
    # stored claim then broke the UTF-8 JSON export.
    "lone-surrogate-in-caveat": (
        b'\x04{"claims": [{"key": "a", "figure": 1, "measure": "killed", "who": "x", '
        b'"claimant": "y", "date": "2024", "caveats": ["\\udc80"]}]}'
    ),
    "lone-surrogate-as-figure": b'\x04{"claims": [{"figure": ["\\ud800", 1]}]}',
    # Other script's digits passed the date pattern's \d.
    "arabic-indic-year": "\x01٢٠٢٤".encode(),
}


@pytest.mark.parametrize("data", CRASHES.values(), ids=CRASHES.keys())
def test_saved_crash_is_handled(data: bytes) -> None:
    check(data)  # raises on any unexpected exception or invalid result


@pytest.mark.parametrize("path", sorted(CORPUS.iterdir()), ids=lambda path: path.name)
def test_seed_corpus_is_handled(path: Path) -> None:
    check(path.read_bytes())


def test_an_empty_unknown_key_is_named_readably() -> None:
    with pytest.raises(ClaimValidationError) as caught:
        validate_document(document(claim_dict() | {"": 1}))
    assert all(error.field.strip() for error in caught.value.errors)
