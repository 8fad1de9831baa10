"""Following questions, end to end against the fake Bot API: /follow, /following, /unfollow,
the Follow button, and the messages a claim change sends (on SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import re
from typing import Any

from helpers.fake_telegram import FakeTelegram, texts
from helpers.updates import (
    ADMIN_ID,
    GROUP_ID,
    USER_ID,
    callback_query,
    group_text,
    private_text,
)

Send = Any
QUESTION = "russian soldiers killed in kherson"
ADD_LINE = "/addclaim 12,345 | Russian troops killed in Kherson, 2022 | Test source | 2022-11 | x"
UKRAINIAN = "/addclaim 4,321 | Ukrainian troops killed in Kherson, 2022 | Test source | 2022-11 | y"


def has(text: str) -> Any:
    return lambda params: text in str(params.get("text", ""))


async def added(send: Send, fake: FakeTelegram, line: str = ADD_LINE) -> int:
    """Add a claim as the admin; its id."""
    before = len(fake.calls_to("sendMessage"))
    await send(private_text(line, user_id=ADMIN_ID))
    stored = fake.calls_to("sendMessage")[before]
    return int(re.search(r"Stored as #(\d+)", stored.params["text"])[1])  # type: ignore[index]


async def followed(send: Send, fake: FakeTelegram, topic: str = QUESTION, **kw: Any) -> int:
    before = len(fake.calls_to("sendMessage"))
    await send(private_text(f"/follow {topic}", **kw))
    reply = fake.calls_to("sendMessage")[before]
    return int(re.search(r"Following #(\d+)", reply.params["text"])[1])  # type: ignore[index]


async def test_follow_says_what_is_followed_what_answers_now_and_how_to_stop(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/follow How many Russian soldiers died in Bakhmut?"))
    (reply,) = texts(fake_telegram, USER_ID)
    assert "Following #1: “How many Russian soldiers died in Bakhmut?”" in reply
    assert "What answers it now:" in reply
    assert "More than 100,000" in reply
    assert "/unfollow 1" in reply


async def test_follow_without_a_question_explains_itself(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/follow"))
    (reply,) = texts(fake_telegram, USER_ID)
    assert "Send /follow and a question" in reply


async def test_a_new_claim_answering_a_followed_question_is_sent_once(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    subscription = await followed(send, fake_telegram)
    assert "No stored claim answers it yet" in texts(fake_telegram, USER_ID)[0]
    await added(send, fake_telegram)
    (note,) = await fake_telegram.wait_for("sendMessage", has("New estimate"), timeout=5)
    assert note.params["chat_id"] == USER_ID
    assert f"New estimate on “{QUESTION}”" in note.params["text"]
    assert "12,345" in note.params["text"]
    assert "Test source" in note.params["text"]
    assert f"/unfollow {subscription}" in note.params["text"]
    await added(send, fake_telegram, UKRAINIAN)  # another side: not an answer
    await send(private_text("/following"))  # anything still queued would have gone by now
    await fake_telegram.wait_for("sendMessage", has("This chat follows:"), timeout=5)
    assert len([t for t in texts(fake_telegram, USER_ID) if "New estimate" in t]) == 1


async def test_an_edit_says_revised_from_the_old_figure_to_the_new(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    claim_id = await added(send, fake_telegram)
    await followed(send, fake_telegram)
    await send(private_text(f"/editclaim {claim_id} figure=13000", user_id=ADMIN_ID))
    (note,) = await fake_telegram.wait_for("sendMessage", has("Revised from"), timeout=5)
    assert "Revised from 12,345 to 13,000" in note.params["text"]


async def test_a_retraction_says_so_with_its_reason(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    claim_id = await added(send, fake_telegram)
    await followed(send, fake_telegram)
    await send(private_text(f"/retract {claim_id} the source withdrew it", user_id=ADMIN_ID))
    (note,) = await fake_telegram.wait_for("sendMessage", has("Retracted:"), timeout=5)
    assert "Retracted: the source withdrew it." in note.params["text"]


async def test_a_new_figure_names_the_claimant_s_previous_one(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await added(send, fake_telegram)
    await followed(send, fake_telegram)
    later = "/addclaim 20,000 | Russian troops killed in Kherson, 2022 | Test source | 2023-02 | z"
    await send(private_text(later, user_id=ADMIN_ID))
    (note,) = await fake_telegram.wait_for("sendMessage", has("New estimate"), timeout=5)
    assert "20,000" in note.params["text"]
    assert "Test source’s previous figure on this: 12,345 (Nov 2022" in note.params["text"]


async def test_following_lists_the_chat_s_questions_and_unfollow_ends_one(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    first = await followed(send, fake_telegram)
    await send(private_text("/follow ukrainian civilians killed in mariupol"))
    await send(private_text("/following"))
    listing = texts(fake_telegram, USER_ID)[-1]
    assert f"#{first} {QUESTION}" in listing
    assert "mariupol" in listing
    await send(private_text(f"/unfollow {first}"))
    assert f"Stopped following #{first}" in texts(fake_telegram, USER_ID)[-1]
    await send(private_text(f"/unfollow {first}"))
    assert f"follows nothing as #{first}" in texts(fake_telegram, USER_ID)[-1]
    await added(send, fake_telegram)
    await send(private_text("/following"))
    await fake_telegram.wait_for("sendMessage", has("This chat follows:"), count=2, timeout=5)
    assert not any("New estimate" in t for t in texts(fake_telegram, USER_ID))


async def test_following_the_same_question_twice_keeps_one_subscription(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    first = await followed(send, fake_telegram)
    await send(private_text(f"/follow {QUESTION.upper()}"))
    assert f"already follows this as #{first}" in texts(fake_telegram, USER_ID)[-1]


async def test_a_chat_may_follow_at_most_fifty_questions(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    for n in range(50):
        await send(private_text(f"/follow russian soldiers killed in {n}"))
    await send(private_text("/follow one more"))
    assert "already follows 50 questions" in texts(fake_telegram, USER_ID)[-1]


async def test_group_follow_by_a_member_is_refused_and_by_an_admin_accepted(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(group_text(f"/follow {QUESTION}"))
    assert "only its admins may follow" in texts(fake_telegram, GROUP_ID)[-1]
    assert fake_telegram.calls_to("getChatMember")[-1].params["user_id"] == USER_ID
    fake_telegram.set_chat_admins(GROUP_ID, [USER_ID])
    await send(group_text(f"/follow {QUESTION}"))
    assert "Following #1" in texts(fake_telegram, GROUP_ID)[-1]
    await added(send, fake_telegram)
    (note,) = await fake_telegram.wait_for("sendMessage", has("New estimate"), timeout=5)
    assert note.params["chat_id"] == GROUP_ID


async def test_the_follow_button_under_an_answer_follows_its_question(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    question = private_text(QUESTION)
    await send(question)
    (answer,) = fake_telegram.calls_to("sendMessage")
    assert answer.params["reply_parameters"]["message_id"] == question["message"]["message_id"]
    (row,) = answer.params["reply_markup"]["inline_keyboard"][-1:]
    assert row[0]["text"] == "🔔 Follow this"
    origin = answer.result | {"reply_to_message": question["message"]}
    await send(callback_query(row[0]["callback_data"], origin=origin))
    (alert,) = fake_telegram.calls_to("answerCallbackQuery")
    assert "Following as #1" in alert.params["text"]
    await added(send, fake_telegram)
    await fake_telegram.wait_for("sendMessage", has(f"New estimate on “{QUESTION}”"), timeout=5)


async def test_a_forged_follow_button_follows_nothing(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(callback_query("follow:1:0123456789abcdef"))
    (alert,) = fake_telegram.calls_to("answerCallbackQuery")
    assert "expired" in alert.params["text"]
    await send(private_text("/following"))
    assert "follows nothing yet" in texts(fake_telegram, USER_ID)[-1]


async def refused(fake: FakeTelegram, status: int, count: int = 1) -> list[Any]:
    """Wait for ``count`` sends the fake refused with ``status``."""
    for _ in range(100):
        calls = [c for c in fake.calls_to("sendMessage", include_failed=True) if c.status == status]
        if len(calls) >= count:
            return calls
        await asyncio.sleep(0.05)
    raise AssertionError(f"no sendMessage was refused with {status}")


async def following_once_paused(send: Send, fake: FakeTelegram, chat: int) -> str:
    """/following's reply once the dispatcher has stored the pause that follows a 403 (it
    writes it after Telegram's refusal, so a reply right after the refusal may precede it)."""
    for _ in range(50):
        await send(private_text("/following"))
        shown = texts(fake, chat)[-1]
        if "paused" in shown:
            return shown
        await asyncio.sleep(0.1)
    return shown


async def test_a_follower_who_blocked_the_bot_is_paused_and_gets_nothing_more(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await followed(send, fake_telegram)
    fake_telegram.block_chat(USER_ID)
    await added(send, fake_telegram)
    await refused(fake_telegram, 403)
    fake_telegram.unblock_chat(USER_ID)
    shown = await following_once_paused(send, fake_telegram, USER_ID)
    assert "paused: I could not write to this chat" in shown
    later = "/addclaim 20,000 | Russian troops killed in Kherson, 2022 | Test source | 2023-02 | z"
    await added(send, fake_telegram, later)
    await asyncio.sleep(0.3)
    assert not any("New estimate" in t for t in texts(fake_telegram, USER_ID))
    await send(private_text(f"/follow {QUESTION}"))  # following again resumes it
    assert "already follows this as #1" in texts(fake_telegram, USER_ID)[-1]


async def test_telegram_asking_to_wait_delays_the_message_and_loses_nothing(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await followed(send, fake_telegram)
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1)
    claim_line = ADD_LINE
    await send(private_text(claim_line, user_id=ADMIN_ID))  # its reply takes the 429 first
    (_note,) = await fake_telegram.wait_for("sendMessage", has("New estimate"), timeout=6)
    assert len([t for t in texts(fake_telegram, USER_ID) if "New estimate" in t]) == 1


async def test_a_server_error_is_retried_and_the_message_still_arrives_once(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await followed(send, fake_telegram)
    await added(send, fake_telegram)
    fake_telegram.fail_next("sendMessage", status=502, times=2)
    await fake_telegram.wait_for("sendMessage", has("New estimate"), timeout=12)
    assert len([t for t in texts(fake_telegram, USER_ID) if "New estimate" in t]) == 1


async def test_a_group_that_became_a_supergroup_keeps_its_subscriptions(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    fake_telegram.set_chat_admins(GROUP_ID, [USER_ID])
    await send(group_text(f"/follow {QUESTION}"))
    new_id = GROUP_ID - 1
    fake_telegram.migrate_chat(GROUP_ID, new_id)
    await added(send, fake_telegram)
    (note,) = await fake_telegram.wait_for("sendMessage", has("New estimate"), timeout=5)
    assert note.params["chat_id"] == new_id


def note_to(chat_id: int) -> Any:
    return lambda params: params["chat_id"] == chat_id and "New estimate" in params["text"]


async def test_one_follower_s_error_during_a_fan_out_leaves_the_others_one_message_each(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    followers = [USER_ID + n for n in range(6)]
    for user in followers:
        await followed(send, fake_telegram, user_id=user)
    fake_telegram.block_chat(followers[0])
    fake_telegram.fail_next("sendMessage", status=429, retry_after=1)
    fake_telegram.fail_next("sendMessage", status=503)
    await send(private_text(ADD_LINE, user_id=ADMIN_ID))  # its own reply is retried too
    for user in followers[1:]:
        await fake_telegram.wait_for("sendMessage", note_to(user), timeout=10)
    await asyncio.sleep(1.5)  # past a poll: nothing more is on its way
    for user in followers[1:]:
        assert sum("New estimate" in t for t in texts(fake_telegram, user)) == 1
    assert not any("New estimate" in t for t in texts(fake_telegram, followers[0]))
