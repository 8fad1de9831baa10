"""Admins' changes through ``ClaimsService`` are answered at once, without a manual invalidate."""

from __future__ import annotations

import pytest
from helpers.builders import SEED_FILE, claim_dict, document
from sqlalchemy.engine import Engine

from bot.parsing import parse_edit
from bot.service import Answerer, ClaimsService, seed_if_empty
from store import StoreError, add_claim, validate_document

KHERSON_QUESTION = "how many russian soldiers died in kherson"
BAKHMUT_QUESTION = "russian deaths in bakhmut"
KHERSON = claim_dict(
    key="kherson-killed-2022", figure=12345, who="Russian troops", where="Kherson",
    claimant="Test source", date="2022-11",
)  # fmt: skip


@pytest.fixture
def answerer(engine: Engine) -> Answerer:
    seed_if_empty(engine=engine, seed_file=SEED_FILE)
    # An hour between store checks: only an invalidation makes it re-read the store in a test.
    answerer = Answerer(engine, refresh_seconds=3600)
    answerer.index()
    return answerer


@pytest.fixture
def service(engine: Engine, answerer: Answerer) -> ClaimsService:
    return ClaimsService(engine, answerer)


def figures(answerer: Answerer, question: str) -> list[int]:
    return [match.claim.figure_low for match in answerer.ask(question).matches]


def test_a_claim_added_through_the_service_is_answered_at_once(
    service: ClaimsService, answerer: Answerer
) -> None:
    assert not answerer.ask(KHERSON_QUESTION).answered
    (claim,) = validate_document(document(KHERSON))
    stored = service.add(claim, actor="1001")
    assert stored.key == "kherson-killed-2022"
    assert figures(answerer, KHERSON_QUESTION)[:1] == [12345]


def test_a_claim_stored_behind_the_services_back_waits_for_the_next_store_check(
    engine: Engine, answerer: Answerer
) -> None:
    (claim,) = validate_document(document(KHERSON))
    add_claim(engine=engine, claim=claim, actor="1001")
    assert not answerer.ask(KHERSON_QUESTION).answered


def test_an_edit_through_the_service_changes_the_answer_at_once(
    service: ClaimsService, answerer: Answerer
) -> None:
    assert 100000 in figures(answerer, BAKHMUT_QUESTION)
    claim_id, changes = parse_edit("10 figure=~120,000")
    service.edit(claim_id, changes, actor="1001")
    assert 120000 in figures(answerer, BAKHMUT_QUESTION)
    assert 100000 not in figures(answerer, BAKHMUT_QUESTION)


def test_a_retraction_through_the_service_stops_the_claim_being_an_answer_at_once(
    service: ClaimsService, answerer: Answerer
) -> None:
    service.retract(10, "the assessment was withdrawn", actor="1001")
    assert 10 not in [match.claim.id for match in answerer.ask(BAKHMUT_QUESTION).matches]


def test_an_import_through_the_service_is_answered_at_once(
    service: ClaimsService, answerer: Answerer
) -> None:
    report = service.import_document(document(KHERSON), actor="1001")
    assert report.added == ["kherson-killed-2022"]
    assert figures(answerer, KHERSON_QUESTION)[:1] == [12345]


def test_a_refused_change_raises_and_every_answer_stays_as_it_was(
    service: ClaimsService, answerer: Answerer
) -> None:
    before = figures(answerer, BAKHMUT_QUESTION)
    with pytest.raises(StoreError):
        service.retract(999, "no such claim", actor="1001")
    with pytest.raises(StoreError):
        service.import_document(document(claim_dict(figure="lots")), actor="1001")
    assert figures(answerer, BAKHMUT_QUESTION) == before
