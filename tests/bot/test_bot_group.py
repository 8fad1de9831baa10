"""Group chats: answer /ask, replies to the bot and @mentions; stay quiet otherwise."""

from __future__ import annotations

from typing import Any

import pytest
from helpers.fake_telegram import FakeTelegram
from helpers.updates import BOT_USERNAME, GROUP_ID, bot_message, group_text, message

Send = Any


def group_replies(fake: FakeTelegram) -> list[dict[str, Any]]:
    return [call for call in fake.sent_messages() if call["chat_id"] == GROUP_ID]


async def test_group_ask_is_answered_as_a_reply_to_the_asking_message(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    asked = group_text("/ask How many Russian soldiers died in Bakhmut?")
    await send(asked)
    (reply,) = group_replies(fake_telegram)
    assert reply["reply_parameters"]["message_id"] == asked["message"]["message_id"]
    assert "More than 100,000" in reply["text"]


async def test_group_ask_addressed_to_this_bot_by_name_is_answered(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(group_text(f"/ask@{BOT_USERNAME} kp leak"))
    (reply,) = group_replies(fake_telegram)
    assert "9,861" in reply["text"]


async def test_group_ask_for_other_bot_is_ignored(send: Send, fake_telegram: FakeTelegram) -> None:
    await send(group_text("/ask@SomeOtherBot How many Russian soldiers died in Bakhmut?"))
    assert fake_telegram.sent_messages() == []


@pytest.mark.parametrize(
    "text",
    ["How many Russian soldiers died in Bakhmut?", "lol", "/frobnicate", "@SomeoneElse bakhmut"],
)
async def test_group_chatter_gets_silence(
    send: Send, fake_telegram: FakeTelegram, text: str
) -> None:
    await send(group_text(text))
    assert fake_telegram.sent_messages() == []


async def test_group_reply_to_the_bot_is_answered(send: Send, fake_telegram: FakeTelegram) -> None:
    earlier = bot_message("an earlier answer")
    await send(group_text("and what did the UK MoD say about deaths?", reply_to=earlier))
    (reply,) = group_replies(fake_telegram)
    assert "UK Ministry of Defence" in reply["text"]


async def test_group_reply_to_another_user_gets_silence(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    someone = message("bakhmut?", user_id=3003, chat_id=GROUP_ID)
    await send(group_text("how many died there", reply_to=someone))
    assert fake_telegram.sent_messages() == []


async def test_group_mention_is_answered_without_the_mention_in_the_question(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(group_text(f"@{BOT_USERNAME} how many russian troops died in Bakhmut"))
    (reply,) = group_replies(fake_telegram)
    assert "More than 100,000" in reply["text"]


async def test_group_ask_without_a_question_explains_how_to_ask(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(group_text("/ask"))
    (reply,) = group_replies(fake_telegram)
    assert "/ask How many Russian soldiers died in Bakhmut?" in reply["text"]


async def test_group_answer_is_compact_with_a_deep_link_to_more_sources(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(group_text("/ask How many Russian soldiers died?"))
    (reply,) = group_replies(fake_telegram)
    assert reply["text"].count("Claimed by:") == 1
    assert f'<a href="https://t.me/{BOT_USERNAME}?start=c_' in reply["text"]
    assert "more sources</a>" in reply["text"]


async def test_group_no_match_is_said_plainly(send: Send, fake_telegram: FakeTelegram) -> None:
    await send(group_text("/ask how many tanks has russia lost"))
    (reply,) = group_replies(fake_telegram)
    assert "No stored claim answers this question." in reply["text"]


async def test_admin_command_from_a_non_admin_in_a_group_is_refused(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(group_text("/retract 1 because I say so"))
    (reply,) = group_replies(fake_telegram)
    assert reply["text"] == "This command is for admins only."


async def test_group_asking_for_the_highest_estimate_is_shown_that_claim(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(group_text("/ask which estimate of Russian soldiers killed is the highest?"))
    (reply,) = [call for call in fake_telegram.sent_messages() if call["chat_id"] == GROUP_ID]
    assert reply["text"].startswith("<b>About 250,000</b>")  # the UK MoD's, the highest stored
