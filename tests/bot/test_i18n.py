"""The bot's own texts follow the user's Telegram language (en, uk, ru); claims stay as stored."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from helpers.builders import ROOT
from helpers.fake_telegram import FakeTelegram
from helpers.processes import run_cli
from helpers.updates import USER_ID, inline_query, private_text

from bot.i18n import LOCALE_DIR, catalogue_path, get_locale, pick_language
from bot.vocabulary import VOCABULARY

Send = Any
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|<[^>]+>")


def source_messages() -> set[str]:
    """Texts marked with N_ or _ in the code, and the labels in bot/vocabulary/*.toml."""
    found = extract_from_dir(str(ROOT / "bot"), keywords={"N_": None, "_": None})
    return {
        message
        for _file, _line, message, _comments, _context in found
        if isinstance(message, str) and message
    } | VOCABULARY.labels()


def test_template_lists_every_text_in_the_source() -> None:
    with (LOCALE_DIR / "messages.pot").open("rb") as template:
        listed = {message.id for message in read_po(template) if message.id}
    assert listed == source_messages()


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_catalogue_translates_every_text_keeping_placeholders_and_tags(lang: str) -> None:
    with catalogue_path(lang).open("rb") as source:
        catalogue = read_po(source, locale=lang)
    for msgid in source_messages():
        entry = catalogue.get(msgid)
        assert entry is not None, f"{lang}: missing {msgid!r}"
        assert entry.string, f"{lang}: untranslated {msgid!r}"
        assert not entry.fuzzy, f"{lang}: fuzzy {msgid!r}"
        assert sorted(PLACEHOLDER.findall(str(entry.string))) == sorted(
            PLACEHOLDER.findall(msgid)
        ), f"{lang}: placeholders or tags differ in {msgid!r}"


@pytest.mark.parametrize(
    ("code", "lang"),
    [("uk", "uk"), ("ru-RU", "ru"), ("en-GB", "en"), ("de", "en"), (None, "en"), ("", "en")],
)
def test_telegram_language_codes_pick_our_language_with_english_fallback(
    code: str | None, lang: str
) -> None:
    assert pick_language(code) == lang


def test_numbers_and_dates_follow_the_language() -> None:
    assert get_locale("en").number(100000) == "100,000"
    assert get_locale("uk").number(100000) == "100\xa0000"
    assert get_locale("en").date("2022-03-02") == "2 Mar 2022"
    assert get_locale("ru").date("2025") == "2025"


def replies(fake: FakeTelegram) -> list[str]:
    return [str(call["text"]) for call in fake.sent_messages() if call["chat_id"] == USER_ID]


async def test_ukrainian_user_gets_ukrainian_labels_and_claims_as_stored(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("Скільки російських солдатів загинуло в Бахмуті?", language_code="uk"))
    (answer,) = replies(fake_telegram)
    assert "Джерело: Western intelligence (розвідка)" in answer
    assert "Застереження:" in answer
    assert "An assessment, not a count" in answer  # claim texts stay as stored
    assert "<b>Понад 100\xa0000</b>" in answer


async def test_russian_user_gets_russian_help_and_no_claim_text(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("/help", language_code="ru"))
    await send(private_text("сколько украинских солдат погибло", language_code="ru"))
    help_text, no_claim = replies(fake_telegram)
    assert "Цифры потерь — с источниками и оговорками." in help_text
    assert "Сколько российских солдат погибло в Бахмуте?" in help_text
    assert "Ни одно сохранённое утверждение не отвечает на этот вопрос." in no_claim
    assert "украинской стороны" in no_claim


async def test_user_in_another_language_gets_english(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(private_text("How many Russian soldiers died in Bakhmut?", language_code="de"))
    assert "Claimed by: Western intelligence" in replies(fake_telegram)[0]


async def test_inline_results_are_labelled_in_the_users_language(
    send: Send, fake_telegram: FakeTelegram
) -> None:
    await send(inline_query("потери России", language_code="ru"))
    (call,) = fake_telegram.calls_to("answerInlineQuery")
    claims = [r for r in call.params["results"] if r["id"].startswith("claim-")]
    assert "Источник:" in claims[0]["input_message_content"]["message_text"]


async def test_command_menus_are_published_in_each_language(
    fake_telegram: FakeTelegram, bot_app: Any
) -> None:
    calls = fake_telegram.calls_to("setMyCommands")
    described = {
        (call.params.get("language_code"), call.params["commands"][0]["description"])
        for call in calls
    }
    assert (None, "Ask about a casualty figure") in described
    assert ("uk", "Запитати про цифру втрат") in described
    assert ("ru", "Спросить о цифре потерь") in described


def test_cli_answers_a_cyrillic_question_with_labels_in_its_language(tmp_path: Path) -> None:
    done = run_cli("ask", "Сколько российских солдат погибло на Украине?", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Источники расходятся: от менее 6\xa0000" in done.stdout
    english = run_cli("ask", "--lang", "en", "потери России в 2024 году", cwd=tmp_path)
    assert "Claimed by: Jens Stoltenberg (NATO)" in english.stdout
