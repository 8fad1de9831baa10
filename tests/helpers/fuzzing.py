"""One fuzz input through an admin-facing parser, checking both what it returns and raises.

The atheris harness (``tests/fuzz/fuzz_parsers.py``) calls ``check`` on every input, the
saved crashes in ``test_fuzz_regressions.py`` replay through it, and the Hypothesis
properties share its ``assert_*`` checks, so all three agree on what "valid" means.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, Final

from pydantic_core import PydanticCustomError

from bot.parsing import parse_addclaim, parse_edit, parse_figure
from helpers.builders import claim_dict
from store import ClaimCreate, ClaimValidationError, validate_claim, validate_document
from store.claims import EDITABLE_FIELDS
from store.models import MAX_FIGURE, MEASURES, QUALIFIERS, STATUSES, check_date

# The first byte of an input picks the target; the rest is its text (or JSON document).
TARGETS: Final = ("figure", "date", "addclaim", "edit", "import")
_DATE: Final = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", re.ASCII)
_KEY: Final = re.compile(r"[a-z0-9][a-z0-9-]{0,119}", re.ASCII)


def assert_named(exc: ClaimValidationError) -> None:
    """Every error says which field is wrong, so the admin knows what to fix."""
    assert exc.errors, "a ClaimValidationError with no errors in it"
    for error in exc.errors:
        assert isinstance(error.field, str), f"no field named: {error!r}"
        assert error.field, f"no field named: {error!r}"
        assert error.message, f"no message: {error!r}"


def assert_figure(figure: Any, qualifier: str | None = None) -> None:
    """An int, or ``[low, high]`` with low < high (equal ends collapse), all within range."""
    values = [figure] if isinstance(figure, int) else figure
    assert isinstance(values, list), figure
    assert len(values) in (1, 2), figure
    for value in values:
        assert type(value) is int, figure
        assert 0 <= value <= MAX_FIGURE, figure
    if len(values) == 2:
        assert values[0] < values[1], figure
    assert qualifier is None or qualifier in QUALIFIERS, qualifier


def assert_date(value: str) -> None:
    """ASCII ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, naming a day that exists."""
    match = _DATE.fullmatch(value)
    assert match, f"not an ISO date: {value!r}"
    year, month, day = (int(part) if part else 1 for part in match.groups())
    assert 1800 <= year <= 2200, value
    date(year, month, day)  # ValueError if there is no such day


def assert_claim(claim: ClaimCreate) -> None:
    """A claim that validated can be stored and shown: no field breaks a later step."""
    assert _KEY.fullmatch(claim.key), claim.key
    assert_figure(claim.figure, claim.qualifier)
    assert_date(claim.date)
    assert claim.measure in MEASURES, claim.measure
    assert claim.status in STATUSES, claim.status
    assert (claim.status == "retracted") == bool(claim.retraction_reason)
    # The database and Telegram both take UTF-8: text that cannot be encoded fails there.
    json.dumps(claim.model_dump(), ensure_ascii=False).encode()


def apply_edit(changes: dict[str, Any]) -> ClaimCreate:
    """``changes`` merged into a valid claim as edit_claim merges them, minus the database."""
    merged = claim_dict() | changes
    if merged.get("status", "active") == "active" and "retraction_reason" not in changes:
        merged.pop("retraction_reason", None)  # re-activating clears the old reason
    return validate_claim(merged)


def run(target: str, payload: bytes) -> None:
    """Feed ``payload`` to one target and check whatever it returns."""
    if target == "import":
        # As the /import command and the CLI do: json.loads on the uploaded bytes.
        for claim in validate_document(json.loads(payload)):
            assert_claim(claim)
        return
    text = payload.decode("utf-8")  # Telegram delivers text, never undecodable bytes
    if target == "figure":
        assert_figure(*parse_figure(text))
    elif target == "date":
        value = check_date(text)
        assert value == text
        assert_date(value)
    elif target == "addclaim":
        assert_claim(parse_addclaim(text))
    else:
        claim_id, changes = parse_edit(text)
        assert claim_id >= 0
        assert set(changes) <= set(EDITABLE_FIELDS), changes
        assert_claim(apply_edit(changes))


def check(data: bytes) -> None:
    """One fuzz input: expected refusals pass, a wrong result or any other exception raises."""
    if not data:
        return
    target = TARGETS[data[0] % len(TARGETS)]
    try:
        run(target, data[1:])
    except ClaimValidationError as exc:
        assert_named(exc)
    except PydanticCustomError as exc:
        # Only check_date raises these bare; every other path wraps them, naming the field.
        if target != "date" or exc.type != "date":
            raise
    except (json.JSONDecodeError, UnicodeDecodeError):
        pass
