"""Admins curate claims from Telegram; every change is audited, bad input stores nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers.builders import claim_dict, document
from helpers.fake_telegram import FakeTelegram
from helpers.updates import ADMIN_ID, USER_ID, message, private_text
from sqlalchemy.engine import Engine

from bot.app import build_application, startup, stop_background
from bot.config import Settings
from store import count_claims, get_claim

Send = Any
ADD_LINE = (
    "/addclaim 100,000 | Russian troops killed in Bakhmut, 2023 | Western intelligence | "
    "2023-05 | assessment, not a count"
)


def last_reply(fake: FakeTelegram, chat_id: int = ADMIN_ID) -> str:
    texts = [call["text"] for call in fake.sent_messages() if call["chat_id"] == chat_id]
    assert texts, "the bot sent nothing"
    return str(texts[-1])


def store_engine(bot_app: Any) -> Engine:
    engine: Engine = bot_app.bot_data["deps"].engine
    return engine


@pytest.mark.parametrize(
    "command",
    [
        ADD_LINE,
        "/editclaim 1 figure=5",
        "/retract 1 wrong",
        "/claim 1",
        "/claims",
        "/export",
        "/import",
    ],
)
async def test_non_admin_gets_admins_only_and_nothing_changes(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any, command: str
) -> None:
    before = count_claims(engine=store_engine(bot_app))
    await send(private_text(command, user_id=USER_ID))
    assert last_reply(fake_telegram, USER_ID) == "This command is for admins only."
    assert count_claims(engine=store_engine(bot_app)) == before
    assert get_claim(engine=store_engine(bot_app), claim_id=1).status == "active"  # type: ignore[union-attr]
    assert not fake_telegram.calls_to("sendDocument")


async def test_addclaim_stores_the_claim_and_shows_its_id(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any
) -> None:
    await send(private_text(ADD_LINE, user_id=ADMIN_ID))
    reply = last_reply(fake_telegram)
    assert reply.startswith("Stored as #18:")
    assert "<b>100,000</b> Russian troops killed in Bakhmut (2023)" in reply
    stored = get_claim(engine=store_engine(bot_app), claim_id=18)
    assert stored is not None
    assert (stored.measure, stored.who, stored.where, stored.period, stored.date) == (
        "killed",
        "Russian troops",
        "Bakhmut",
        "2023",
        "2023-05",
    )
    assert stored.caveats == ["assessment, not a count"]


async def test_added_claim_is_answered_at_once(send: Send, fake_telegram: FakeTelegram) -> None:
    line = "/addclaim 12,345 | Russian troops killed in Kherson, 2022 | Test source | 2022-11 | x"
    await send(private_text(line, user_id=ADMIN_ID))
    await send(private_text("how many russian soldiers died in kherson", user_id=USER_ID))
    assert "12,345" in last_reply(fake_telegram, USER_ID)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("/addclaim", "Format:"),
        ("/addclaim 100 | Russian troops killed", "format: expected 5 or 6 parts"),
        ("/addclaim lots | Russian troops killed | X | 2023 | c", 'figure: "lots" is not a number'),
        ("/addclaim 100 | Russian troops killed | X | 2023-13 | c", "date: "),
        ("/addclaim 100 | Russian troops | X | 2023 | c", "WHAT: say what is counted"),
        ("/addclaim 100 | Russian troops killed | X | 2023 | c | ftp://x", "url: "),
    ],
)
async def test_bad_addclaim_names_the_problem_and_stores_nothing(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any, line: str, expected: str
) -> None:
    await send(private_text(line, user_id=ADMIN_ID))
    reply = last_reply(fake_telegram)
    assert expected in reply
    assert "/addclaim FIGURE | WHAT | CLAIMANT | DATE | CAVEATS" in reply
    assert count_claims(engine=store_engine(bot_app)) == 17


async def test_the_same_addclaim_twice_is_refused_as_a_duplicate(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any
) -> None:
    await send(private_text(ADD_LINE, user_id=ADMIN_ID))
    await send(private_text(ADD_LINE, user_id=ADMIN_ID))
    assert "already exists" in last_reply(fake_telegram)
    assert count_claims(engine=store_engine(bot_app)) == 18


async def test_editclaim_changes_a_field_and_the_answer(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/editclaim 10 figure=~120,000", user_id=ADMIN_ID))
    assert "Updated #10" in last_reply(fake_telegram)
    await send(private_text("russian deaths in bakhmut", user_id=USER_ID))
    assert "About 120,000" in last_reply(fake_telegram, USER_ID)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ("10 date=yesterday", "date: "),
        ("10 colour=red", "colour: is not a field"),
        ("999 figure=5", "There is no claim #999."),
        ("nonsense", "format: expected N field=value"),
    ],
)
async def test_bad_editclaim_is_refused_and_nothing_changes(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any, args: str, expected: str
) -> None:
    await send(private_text(f"/editclaim {args}", user_id=ADMIN_ID))
    reply = last_reply(fake_telegram)
    assert expected in reply
    assert "Nothing was stored." in reply
    claim = get_claim(engine=store_engine(bot_app), claim_id=10)
    assert claim is not None
    assert (claim.figure_low, claim.date) == (100000, "2023")


async def test_retracted_claim_is_no_longer_an_answer_but_stays_in_history(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/retract 10 the assessment was withdrawn", user_id=ADMIN_ID))
    assert "Retracted #10" in last_reply(fake_telegram)
    await send(private_text("russian deaths in bakhmut", user_id=USER_ID))
    assert "#10" not in last_reply(fake_telegram, USER_ID)
    await send(private_text("/claim 10", user_id=ADMIN_ID))
    record = last_reply(fake_telegram)
    assert "RETRACTED: the assessment was withdrawn" in record
    assert f"{ADMIN_ID} · retract: the assessment was withdrawn" in record


async def test_claim_shows_the_full_record_with_its_audit_history(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/editclaim 3 url=https://example.org/kp", user_id=ADMIN_ID))
    await send(private_text("/claim 3", user_id=ADMIN_ID))
    record = last_reply(fake_telegram)
    assert "9,861" in record
    assert "seed · seed" in record
    assert f"{ADMIN_ID} · edit: url" in record
    assert "Key: <code>kp-leak-killed-2022-03</code>" in record


async def test_claims_lists_a_page_at_a_time(send: Send, fake_telegram: FakeTelegram) -> None:
    await send(private_text("/claims 2", user_id=ADMIN_ID))
    reply = last_reply(fake_telegram)
    assert reply.startswith("Claims 11–17 of 17 (page 2 of 2):")
    assert "#17 " in reply
    await send(private_text("/claims 9", user_id=ADMIN_ID))
    assert last_reply(fake_telegram) == "There are no claims on that page."


async def test_export_sends_a_json_document_in_the_seed_format(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/export", user_id=ADMIN_ID))
    (call,) = fake_telegram.calls_to("sendDocument")
    exported = json.loads(call.params["document"]["content"])
    assert len(exported["claims"]) == 17
    assert exported["claims"][2]["key"] == "kp-leak-killed-2022-03"


def json_file_message(fake: FakeTelegram, content: bytes) -> dict[str, Any]:
    doc = fake.add_file(content, "claims.json")
    return message(None, user_id=ADMIN_ID, document=doc)


async def test_import_as_reply_to_a_json_document_stores_every_claim(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any
) -> None:
    content = json.dumps(document(claim_dict(key="new-one"), claim_dict(key="new-two"))).encode()
    await send(
        private_text(
            "/import", user_id=ADMIN_ID, reply_to=json_file_message(fake_telegram, content)
        )
    )
    assert last_reply(fake_telegram) == "Imported: 2 added, 0 updated, 0 unchanged."
    assert count_claims(engine=store_engine(bot_app)) == 19


async def test_import_with_errors_stores_nothing_and_lists_every_error(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any
) -> None:
    bad = document(claim_dict(key="fine"), claim_dict(key="kp-leak", figure="lots", date="soon"))
    await send(
        private_text(
            "/import",
            user_id=ADMIN_ID,
            reply_to=json_file_message(fake_telegram, json.dumps(bad).encode()),
        )
    )
    reply = last_reply(fake_telegram)
    assert reply.startswith("Nothing was imported. 2 problem(s):")
    assert 'claims[1] (key kp-leak): figure: "lots" is not a number' in reply
    assert "claims[1] (key kp-leak): date:" in reply
    assert count_claims(engine=store_engine(bot_app)) == 17


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b'{"claims": [', "That file is not valid JSON"),
        (b"\xff\xfe", "That file is not valid"),
        (b"[1, 2]", 'document: must be {"claims": [ ... ]}'),
    ],
)
async def test_import_of_a_malformed_file_is_a_clear_error(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any, content: bytes, expected: str
) -> None:
    await send(
        private_text(
            "/import", user_id=ADMIN_ID, reply_to=json_file_message(fake_telegram, content)
        )
    )
    assert expected in last_reply(fake_telegram)
    assert count_claims(engine=store_engine(bot_app)) == 17


async def test_import_without_a_document_explains_how(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/import", user_id=ADMIN_ID))
    assert "reply to a JSON document" in last_reply(fake_telegram)


async def test_startup_sends_every_command_menu_at_once(
    fake_telegram: FakeTelegram, settings: Settings
) -> None:
    # Each menu waits at Telegram; one after another, polling would start nine waits late.
    fake_telegram.delay_next("setMyCommands", 1.0, times=9)
    application = build_application(settings)
    async with application:
        await startup(application)
        await stop_background(application)
    application.bot_data["deps"].engine.dispose()

    arrivals = [call.at for call in fake_telegram.calls_to("setMyCommands")]
    assert len(arrivals) == 9  # three languages x private chats, groups and the admin's chat
    # One after another they would arrive over eight waits; at once, as many as there are
    # connections arrive together and the rest just after the first answers.
    assert max(arrivals) - min(arrivals) < 1.5


async def test_startup_publishes_command_lists_for_private_groups_and_admins(
    fake_telegram: FakeTelegram, bot_app: Any
) -> None:
    scopes = [call.params.get("scope", {}) for call in fake_telegram.calls_to("setMyCommands")]
    assert {"type": "all_private_chats"} in scopes
    assert {"type": "all_group_chats"} in scopes
    assert {"type": "chat", "chat_id": ADMIN_ID} in scopes
