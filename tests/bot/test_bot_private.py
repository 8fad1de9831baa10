"""A private chat with the bot, end to end through the fake Bot API."""

from __future__ import annotations

import re
from typing import Any

from helpers.fake_telegram import FakeTelegram
from helpers.updates import ADMIN_ID, USER_ID, callback_query, private_text, update

Send = Any


def replies(fake: FakeTelegram, chat_id: int = USER_ID) -> list[dict[str, Any]]:
    return [call for call in fake.sent_messages() if call["chat_id"] == chat_id]


async def test_start_explains_the_bot_with_example_questions(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/start"))
    (reply,) = replies(fake_telegram)
    assert "Casualty figures, with their sources and caveats." in reply["text"]
    assert "How many Russian soldiers died in Bakhmut?" in reply["text"]
    assert "/addclaim" not in reply["text"]


async def test_help_for_an_admin_also_lists_admin_commands(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/help", user_id=ADMIN_ID))
    (reply,) = replies(fake_telegram, ADMIN_ID)
    assert "/addclaim" in reply["text"]
    assert "/retract" in reply["text"]


async def test_private_question_gets_figure_claimant_date_and_caveats(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("How many Russian soldiers died in Bakhmut?"))
    (reply,) = replies(fake_telegram)
    text = reply["text"]
    assert "<b>More than 100,000</b> Russian troops killed in Bakhmut" in text
    assert "Claimed by: Western intelligence" in text
    assert "Date: 2023" in text
    assert "An assessment, not a count" in text
    assert reply["parse_mode"] == "HTML"


async def test_question_about_ukrainian_losses_is_an_honest_no_with_no_figures(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("How many Ukrainian soldiers died?"))
    (reply,) = replies(fake_telegram)
    assert "No stored claim answers this question." in reply["text"]
    assert "We hold no figure for Ukrainian losses." in reply["text"]
    assert "100,000" not in reply["text"]


async def test_sources_that_disagree_are_shown_side_by_side(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("How many Russian soldiers died?"))
    (reply,) = replies(fake_telegram)
    assert reply["text"].count("Claimed by:") == 3
    assert (
        "Sources disagree: from fewer than 6,000 (Russian Ministry of Defence, 2025)"
        in (reply["text"])
    )
    assert "(intelligence service)" in reply["text"]  # each claimant labelled with its type


async def test_no_match_offers_suggestion_buttons_within_telegram_limits(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("How many Russian soldiers died in Kherson?"))
    (reply,) = replies(fake_telegram)
    assert "No stored claim answers this question." in reply["text"]
    *suggested, follow = [row[0] for row in reply["reply_markup"]["inline_keyboard"]]
    assert follow["text"] == "🔔 Follow this"  # a question with no answer yet can be followed
    buttons = suggested
    assert 1 <= len(buttons) <= 3
    assert all(len(button["callback_data"].encode()) <= 64 for button in [*buttons, follow])
    # Named without figures: no "9,861" in any label.
    assert not any(re.search(r"\d,\d{3}", button["text"]) for button in buttons)


async def test_pressing_a_suggestion_answers_with_that_claim(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("How many Russian soldiers died in Kherson?"))
    button = replies(fake_telegram)[0]["reply_markup"]["inline_keyboard"][0][0]
    await send(callback_query(button["callback_data"]))
    assert fake_telegram.calls_to("answerCallbackQuery")
    answer = replies(fake_telegram)[-1]["text"]
    assert "Claimed by:" in answer
    assert "Caveats:" in answer


async def test_garbage_callback_data_is_answered_as_expired(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    for data in ["", "claim:", "claim:abc", "drop table", "claim:99999999", "x" * 64]:
        await send(callback_query(data))
    answers = [call.params.get("text") for call in fake_telegram.calls_to("answerCallbackQuery")]
    assert len(answers) == 6
    assert all(text for text in answers)
    assert replies(fake_telegram) == []


async def test_unknown_command_points_to_help(send: Send, fake_telegram: FakeTelegram) -> None:
    await send(private_text("/frobnicate now"))
    (reply,) = replies(fake_telegram)
    assert "/help" in reply["text"]


async def test_sticker_gets_a_hint_to_ask_in_words(send: Send, fake_telegram: FakeTelegram) -> None:
    sticker = {
        "file_id": "s1",
        "file_unique_id": "u1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    await send(private_text(None, sticker=sticker))
    (reply,) = replies(fake_telegram)
    assert "For example" in reply["text"]


async def test_edits_channel_posts_and_empty_updates_are_ignored_quietly(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    edited = private_text("How many Russian soldiers died in Bakhmut?")
    edited["edited_message"] = edited.pop("message")
    edited["edited_message"]["edit_date"] = edited["edited_message"]["date"]
    post = private_text("bakhmut", chat_id=-100777)
    post["channel_post"] = post.pop("message")
    post["channel_post"]["chat"] = {"id": -100777, "type": "channel", "title": "News"}
    for data in (edited, post, update()):
        await send(data)
    assert fake_telegram.sent_messages() == []


async def test_five_thousand_character_question_gets_an_answer_within_limits(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("How many Russian soldiers died in Bakhmut? " + "why " * 1240))
    (reply,) = replies(fake_telegram)  # the fake refuses texts over 4096 characters
    assert "Claimed by:" in reply["text"]


async def test_html_in_a_question_cannot_break_the_answer(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("<b>bakhmut</b> & <i>co</i> </pre>"))
    (reply,) = replies(fake_telegram)  # the fake refuses malformed HTML
    assert "Claimed by:" in reply["text"]


async def test_deep_link_from_a_group_answer_shows_those_claims(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/start c_10_8"))
    (reply,) = replies(fake_telegram)
    assert reply["text"].count("Claimed by:") == 2
    assert "#10" in reply["text"]
    assert "#8" in reply["text"]


async def test_asking_to_compare_the_estimates_gets_the_comparison(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("compare the estimates of Russian soldiers killed"))
    (reply,) = replies(fake_telegram)
    assert "every stored claim, newest first" in reply["text"]
    assert "Spread: from" in reply["text"]


async def test_a_fact_check_names_who_gives_the_figure_first(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("is it true that 9,861 Russian soldiers died?"))
    (reply,) = replies(fake_telegram)
    assert reply["text"].startswith(
        "<b>9,861 is the figure given by Russian Ministry of Defence (leaked) (Mar 2022).</b>"
    )


async def test_a_fact_check_of_a_figure_nobody_gives_says_so_in_the_readers_language(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("чи правда, що загинуло 300 тисяч росіян?", language_code="uk"))
    (reply,) = replies(fake_telegram)
    assert "Жодне збережене твердження не дає цифри 300" in reply["text"]
