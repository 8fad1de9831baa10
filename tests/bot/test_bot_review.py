"""The review queue over the fake Bot API: an article becomes drafts, and only approved drafts
become claims. Figures in the article are real reporting (tests/data/realworld/claims.json)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiohttp import web
from helpers.fake_telegram import FakeTelegram
from helpers.updates import ADMIN_ID, USER_ID, callback_query, message, private_text, update
from sqlalchemy.engine import Engine
from telegram import Update

from bot.app import build_application, startup
from bot.config import Settings
from store import claim_history, count_claims, get_claim, list_drafts

Send = Any
ARTICLE = """Ukraine and Russia trade casualty claims

President Volodymyr Zelensky said on 25 February 2024 that 31,000 Ukrainian soldiers had been killed since the invasion began.

The UN Human Rights Office said that 10,582 Ukrainian civilians had been killed by 22 February 2024.

Mediazona and BBC News Russian said in April 2024 that they had confirmed the names of 50,000 Russian soldiers killed in Ukraine.

The Russian Ministry of Defence claimed in December 2023 that 383,000 Ukrainian soldiers had been killed or wounded.
"""  # noqa: E501


def engine_of(bot_app: Any) -> Engine:
    engine: Engine = bot_app.bot_data["deps"].engine
    return engine


def texts_to(fake: FakeTelegram, chat_id: int) -> list[str]:
    return [str(call["text"]) for call in fake.sent_messages() if call["chat_id"] == chat_id]


def last_card(fake: FakeTelegram, chat_id: int = ADMIN_ID) -> dict[str, Any]:
    """The bot's last message in the chat that still has buttons, as Telegram holds it."""
    for sent in reversed(fake.messages_in(chat_id)):
        if sent.get("reply_markup"):
            return sent
    raise AssertionError("no message with buttons was sent")


def buttons_of_last_draft(fake: FakeTelegram, chat_id: int = ADMIN_ID) -> dict[str, str]:
    row = last_card(fake, chat_id)["reply_markup"]["inline_keyboard"][0]
    return {button["text"]: button["callback_data"] for button in row}


async def press(
    send: Send, fake: FakeTelegram, label: str, *, user_id: int = ADMIN_ID, chat_id: int = ADMIN_ID
) -> None:
    """Press a button of the last card the bot sent to ``chat_id``, as ``user_id``."""
    card = last_card(fake, chat_id)
    data = buttons_of_last_draft(fake, chat_id)[label]
    pressed = callback_query(data, user_id=user_id, chat_id=chat_id)
    pressed["callback_query"]["message"] = card
    await send(pressed)


async def test_an_admin_reviews_a_pasted_article_draft_by_draft(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any
) -> None:
    engine = engine_of(bot_app)
    before = count_claims(engine=engine)
    await send(private_text(f"/draft {ARTICLE}", user_id=ADMIN_ID))
    assert (
        "4 drafts from “Ukraine and Russia trade casualty claims”"
        in texts_to(fake_telegram, ADMIN_ID)[-2]
    )
    assert count_claims(engine=engine) == before  # nothing is stored before approval

    await press(send, fake_telegram, "Approve")  # Zelensky's
    await press(send, fake_telegram, "Approve")  # the UN's
    third = list_drafts(engine=engine)[0]
    await press(send, fake_telegram, "Edit")
    assert f"/editdraft {third.id} field=value" in texts_to(fake_telegram, ADMIN_ID)[-1]
    await send(private_text(f"/editdraft {third.id} date=2024-04-12", user_id=ADMIN_ID))
    await press(send, fake_telegram, "Approve")  # Mediazona's, edited
    await press(send, fake_telegram, "Skip")  # Russia's
    assert "No more drafts from this article are waiting." in texts_to(fake_telegram, ADMIN_ID)

    assert count_claims(engine=engine) == before + 3
    stored = [get_claim(engine=engine, claim_id=before + n) for n in (1, 2, 3)]
    assert [claim.figure for claim in stored if claim] == [31_000, 10_582, 50_000]
    assert stored[2] is not None
    assert stored[2].date == "2024-04-12"
    [record] = claim_history(engine=engine, claim_id=before + 1)
    assert record.action == "approve"
    assert record.actor == str(ADMIN_ID)
    await send(private_text("is it true that 10,582 ukrainian civilians died?", user_id=USER_ID))
    assert "10,582" in texts_to(fake_telegram, USER_ID)[-1]


async def test_a_draft_button_pressed_by_a_non_admin_does_nothing(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any
) -> None:
    await send(private_text(f"/draft {ARTICLE}", user_id=ADMIN_ID))
    before = count_claims(engine=engine_of(bot_app))
    await press(send, fake_telegram, "Approve", user_id=USER_ID)
    answers = fake_telegram.calls_to("answerCallbackQuery")
    assert answers[-1].params["text"] == "This command is for admins only."
    assert count_claims(engine=engine_of(bot_app)) == before


async def test_a_forged_draft_button_is_refused(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any
) -> None:
    before = count_claims(engine=engine_of(bot_app))
    await send(callback_query("approve:1:0000000000000000", user_id=ADMIN_ID, chat_id=ADMIN_ID))
    assert fake_telegram.calls_to("answerCallbackQuery")[-1].params["text"]
    assert count_claims(engine=engine_of(bot_app)) == before


async def test_draft_without_an_article_explains_itself(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/draft", user_id=ADMIN_ID))
    assert texts_to(fake_telegram, ADMIN_ID)[-1].startswith("Send /draft with an article")


async def test_an_article_with_no_figures_drafts_nothing(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/draft The weather in Kyiv was mild on Tuesday.", user_id=ADMIN_ID))
    assert texts_to(fake_telegram, ADMIN_ID)[-1] == (
        "I found no casualty figures in it, so nothing was drafted."
    )


async def test_draft_as_a_reply_to_a_text_file_reads_the_file(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    document = fake_telegram.add_file(ARTICLE.encode(), "article.txt", "text/plain")
    original = message(None, user_id=ADMIN_ID, document=document)
    await send(update(message=message("/draft", user_id=ADMIN_ID, reply_to=original)))
    assert any("4 drafts from" in text for text in texts_to(fake_telegram, ADMIN_ID))


async def test_a_file_that_is_not_text_or_html_is_refused(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    document = fake_telegram.add_file(b"\x89PNG", "chart.png", "image/png")
    original = message(None, user_id=ADMIN_ID, document=document)
    await send(update(message=message("/draft", user_id=ADMIN_ID, reply_to=original)))
    assert texts_to(fake_telegram, ADMIN_ID)[-1] == "I can draft from .txt and .html files only."


async def test_a_link_to_the_bot_s_own_network_is_refused(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text(f"/draft {fake_telegram.base_url}", user_id=ADMIN_ID))
    assert "private or local network" in texts_to(fake_telegram, ADMIN_ID)[-1]


async def test_a_suggestion_reaches_every_admin_and_is_never_shown_to_others(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any, settings: Settings
) -> None:
    await send(private_text(f"/suggest {ARTICLE}", user_id=USER_ID))
    assert texts_to(fake_telegram, USER_ID)[-1].startswith("Thank you: 4 possible claims")
    for admin in settings.admin_ids:
        [notice] = [t for t in texts_to(fake_telegram, admin) if "New suggestion" in t]
        assert "4 drafts" in notice
    drafts = list_drafts(engine=engine_of(bot_app))
    assert {draft.suggested_by for draft in drafts} == {str(USER_ID)}
    await send(private_text("/drafts", user_id=USER_ID))
    assert texts_to(fake_telegram, USER_ID)[-1] == "This command is for admins only."


async def test_suggestions_are_flood_limited_per_user(
    send: Send, fake_telegram: FakeTelegram, settings: Settings
) -> None:
    for _ in range(settings.suggestions_per_user + 2):
        await send(private_text(f"/suggest {ARTICLE}", user_id=USER_ID))
    replies = texts_to(fake_telegram, USER_ID)
    assert replies.count("You have sent several suggestions already; please try again later.") == 1
    thanks = [text for text in replies if text.startswith("Thank you")]
    assert len(thanks) == settings.suggestions_per_user


async def test_a_huge_suggestion_is_refused_before_anything_is_read(
    send: Send, fake_telegram: FakeTelegram, bot_app: Any
) -> None:
    await send(private_text("/suggest " + "x " * 15_000, user_id=USER_ID))
    assert texts_to(fake_telegram, USER_ID)[-1].startswith("That is too long")
    assert list_drafts(engine=engine_of(bot_app)) == []


SECOND_ADMIN = 1002


@pytest.fixture
async def four_eyes_send(settings: Settings) -> AsyncIterator[Any]:
    """The bot with APPROVALS_REQUIRED=2 and two admins."""
    strict = settings.model_copy(
        update={"approvals_required": 2, "admin_ids": frozenset({ADMIN_ID, SECOND_ADMIN})}
    )
    application = build_application(strict)
    async with application:
        await startup(application)

        async def send(data: dict[str, Any]) -> None:
            await application.process_update(Update.de_json(data, application.bot))

        send.engine = application.bot_data["deps"].engine  # type: ignore[attr-defined]
        yield send
    application.bot_data["deps"].engine.dispose()


async def test_with_two_approvals_required_a_draft_goes_live_at_the_second_admin(
    four_eyes_send: Any, fake_telegram: FakeTelegram
) -> None:
    engine = four_eyes_send.engine
    before = count_claims(engine=engine)
    await four_eyes_send(private_text(f"/draft {ARTICLE}", user_id=ADMIN_ID))
    assert "Approvals: 0 of 2" in texts_to(fake_telegram, ADMIN_ID)[-1]
    await press(four_eyes_send, fake_telegram, "Approve")
    await press(four_eyes_send, fake_telegram, "Approve")  # the same admin again counts once
    assert count_claims(engine=engine) == before
    assert "1 more admin approval(s) needed" in texts_to(fake_telegram, ADMIN_ID)[-1]
    await press(four_eyes_send, fake_telegram, "Approve", user_id=SECOND_ADMIN)
    assert count_claims(engine=engine) == before + 1
    stored = get_claim(engine=engine, claim_id=before + 1)
    assert stored is not None
    [record] = claim_history(engine=engine, claim_id=stored.id)
    assert record.changes["approved_by"] == [None, f"{ADMIN_ID}, {SECOND_ADMIN}"]


async def test_a_suggestion_reaches_both_admins(
    four_eyes_send: Any, fake_telegram: FakeTelegram
) -> None:
    await four_eyes_send(private_text(f"/suggest {ARTICLE}", user_id=USER_ID))
    for admin in (ADMIN_ID, SECOND_ADMIN):
        notices = [t for t in texts_to(fake_telegram, admin) if t.startswith("New suggestion")]
        assert len(notices) == 1, admin


@pytest.fixture
async def article_site() -> AsyncIterator[str]:
    """A local web server with one article page."""
    html = "<html><head><title>Trade of claims</title></head><body>"
    html += (
        "".join(f"<p>{paragraph}</p>" for paragraph in ARTICLE.split("\n\n")[1:]) + "</body></html>"
    )

    async def page(_request: web.Request) -> web.Response:
        return web.Response(text=html, content_type="text/html")

    app = web.Application()
    app.router.add_get("/article", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield f"http://127.0.0.1:{runner.addresses[0][1]}/article"
    await runner.cleanup()


async def test_a_link_to_a_local_test_server_is_drafted_when_the_test_setting_allows_it(
    settings: Settings, fake_telegram: FakeTelegram, article_site: str
) -> None:
    allowing = settings.model_copy(update={"fetch_private_urls": True})
    application = build_application(allowing)
    async with application:
        await startup(application)
        data = private_text(f"/draft {article_site}", user_id=ADMIN_ID)
        await application.process_update(Update.de_json(data, application.bot))
    application.bot_data["deps"].engine.dispose()
    assert "4 drafts from “Trade of claims”" in texts_to(fake_telegram, ADMIN_ID)[-2]


LOADED_AT = """
import sys
import bot.app
print("bot.extract" in sys.modules)
from bot.drafting import read_sent
read_sent("Ukraine's General Staff said 1,000 Russian soldiers were killed.")
print("bot.extract" in sys.modules)
"""


def test_the_extractor_loads_at_the_first_draft_not_at_start_up() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOADED_AT], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["False", "True"]
