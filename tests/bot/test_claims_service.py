"""Admins' changes through ``ClaimsService`` are answered at once, without a manual invalidate."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from helpers.builders import SEED_FILE, claim_dict, document
from sqlalchemy import event
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


@pytest.fixture
def held_rows(engine: Engine) -> Iterator[tuple[threading.Event, threading.Event]]:
    """(reached, go): a thread named "held" stops at its read of the claim rows until ``go``.

    That read is its second connection from the pool: the first reads the store's revision.
    """
    reached, go = threading.Event(), threading.Event()
    checkouts = 0

    def hold(*args: Any) -> None:
        nonlocal checkouts
        if threading.current_thread().name == "held":
            checkouts += 1
            if checkouts == 2:
                reached.set()
                go.wait(10)

    event.listen(engine, "checkout", hold)
    yield reached, go
    go.set()
    event.remove(engine, "checkout", hold)


def test_an_admins_next_question_sees_the_change_while_another_thread_is_rebuilding(
    service: ClaimsService, answerer: Answerer, held_rows: tuple[threading.Event, threading.Event]
) -> None:
    # Another thread (the follow-up dispatcher, another user) takes the store check that the
    # change made due, and its rebuild is slow; the admin's question must wait for it rather
    # than answer from the index before the change.
    reached, go = held_rows
    (claim,) = validate_document(document(KHERSON))
    service.add(claim, actor="1001")
    other = threading.Thread(target=answerer.index, name="held")
    other.start()
    assert reached.wait(10)
    assert answerer.fresh() is None  # the event loop must not answer from the old index either
    answers: list[list[int]] = []
    admin = threading.Thread(target=lambda: answers.append(figures(answerer, KHERSON_QUESTION)))
    admin.start()
    admin.join(0.3)
    assert not answers, "answered before the rebuild that holds the change"
    go.set()
    admin.join(10)
    other.join(10)
    assert answers[0][:1] == [12345]
    assert answerer.fresh() is not None  # and the questions after it need no store read
