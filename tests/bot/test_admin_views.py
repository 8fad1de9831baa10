"""What admins read: /history, /claim and /claims pages, and a refused import, in their language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from helpers.builders import public_claims, seed_claim

from bot.i18n import EN, get_locale
from bot.render import (
    HTML,
    PLAIN,
    render_claim,
    render_claim_record,
    render_claims_page,
    render_history,
    render_import_errors,
)
from store import AuditRecord

UK = get_locale("uk")
BAKHMUT = seed_claim("western-intel-bakhmut-killed-2023")  # #10, "More than 100,000 ..."


def record(
    action: str, changes: dict[str, list[Any]], *, actor: str = "1001", at: datetime
) -> AuditRecord:
    return AuditRecord(
        claim_id=BAKHMUT.id, claim_key=BAKHMUT.key, actor=actor, action=action, changes=changes,
        at=at,
    )  # fmt: skip


SEEDED = record(
    "seed", {"figure_low": [None, 100000]}, actor="seed", at=datetime(2023, 6, 1, tzinfo=UTC)
)
EDITED = record(
    "edit",
    {"qualifier": ["more than", "about"], "figure_low": [100000, 120000]},
    at=datetime(2024, 1, 2, 10, 30, tzinfo=UTC),
)
RETRACTED = record(
    "retract",
    {"status": ["active", "retracted"], "retraction_reason": [None, "withdrawn"]},
    at=datetime(2024, 2, 3, 8, 5, tzinfo=UTC),
)
HISTORY = [SEEDED, EDITED, RETRACTED]


def test_history_names_every_change_with_each_field_before_and_after() -> None:
    title, *lines = render_history(BAKHMUT, HISTORY, HTML, EN).split("\n")
    assert title.startswith("<b>#10 More than 100,000 Russian troops killed in Bakhmut")
    assert lines == [
        "<b>History:</b>",
        "• 2023-06-01 00:00 UTC · seed · seed",
        "    figure_low: — → 100000",
        "• 2024-01-02 10:30 UTC · 1001 · edit: figure_low, qualifier",
        "    figure_low: 100000 → 120000",
        "    qualifier: more than → about",
        "• 2024-02-03 08:05 UTC · 1001 · retract: withdrawn",
        "    retraction_reason: — → withdrawn",
        "    status: active → retracted",
    ]


def test_history_in_ukrainian_translates_labels_and_keeps_stored_values() -> None:
    title, *lines = render_history(BAKHMUT, HISTORY, HTML, UK).split("\n")
    assert title.startswith("<b>#10 Понад 100\xa0000 Russian troops: загиблі")
    assert lines == [
        "<b>Історія:</b>",
        "• 2023-06-01 00:00 UTC · seed · з початкового набору",
        "    figure_low: — → 100000",
        "• 2024-01-02 10:30 UTC · 1001 · змінено: figure_low, qualifier",
        "    figure_low: 100000 → 120000",
        "    qualifier: more than → about",
        "• 2024-02-03 08:05 UTC · 1001 · відкликано: withdrawn",
        "    retraction_reason: — → withdrawn",
        "    status: active → retracted",
    ]


def test_an_added_claim_shows_in_history_without_repeating_its_fields() -> None:
    added = record("add", {"figure_low": [None, 5]}, at=datetime(2024, 1, 1, tzinfo=UTC))
    assert render_history(BAKHMUT, [added], HTML, EN).split("\n")[2:] == [
        "• 2024-01-01 00:00 UTC · 1001 · add"
    ]


def test_history_times_are_in_utc_whether_or_not_the_database_kept_the_zone() -> None:
    naive = record("edit", {"url": [None, "https://a.example"]}, at=datetime(2024, 1, 2, 10, 30))
    eastern = record(
        "edit",
        {"url": ["https://a.example", None]},
        at=datetime(2024, 1, 2, 12, 30, tzinfo=timezone(timedelta(hours=2))),
    )
    lines = render_history(BAKHMUT, [naive, eastern], PLAIN, EN).split("\n")
    assert lines[2] == lines[4] == "• 2024-01-02 10:30 UTC · 1001 · edit: url"


def test_history_escapes_stored_values_and_cuts_long_ones() -> None:
    edit = record(
        "edit",
        {"claimant": ["A & B", "<script>"], "reported_in": [None, "x" * 200]},
        at=datetime(2024, 1, 1, tzinfo=UTC),
    )
    lines = render_history(BAKHMUT, [edit], HTML, EN).split("\n")
    assert lines[3] == "    claimant: A &amp; B → &lt;script&gt;"
    assert lines[4] == "    reported_in: — → " + "x" * 119 + "…"


def test_claim_record_shows_the_claim_one_line_per_change_and_its_key() -> None:
    text = render_claim_record(BAKHMUT, HISTORY, HTML, EN)
    assert text.startswith(render_claim(BAKHMUT, HTML, EN) + "\n\n<b>History:</b>\n")
    assert "• 2024-02-03 08:05 UTC · 1001 · retract: withdrawn\n" in text
    assert "figure_low: 100000 → 120000" not in text  # the fields are /history's to show
    assert text.endswith("\nKey: <code>western-intel-bakhmut-killed-2023</code>")


def test_claim_record_in_ukrainian_and_in_plain_text() -> None:
    assert render_claim_record(BAKHMUT, [EDITED], HTML, UK).endswith(
        "<b>Історія:</b>\n• 2024-01-02 10:30 UTC · 1001 · змінено: figure_low, qualifier\n"
        "Ключ: <code>western-intel-bakhmut-killed-2023</code>"
    )
    assert render_claim_record(BAKHMUT, [], PLAIN, EN).endswith(
        "\n\nHistory:\nKey: western-intel-bakhmut-killed-2023"
    )


LAST_PAGE = public_claims()[10:12]  # #11 and #12 of the 17 seed claims


def retracted(claim: Any) -> Any:
    return claim.model_copy(update={"status": "retracted", "retraction_reason": "withdrawn"})


def test_claims_page_says_where_it_is_and_marks_retracted_claims() -> None:
    page = [LAST_PAGE[0], retracted(LAST_PAGE[1])]
    header, first, second = render_claims_page(page, HTML, EN, page=2, total=12).split("\n")
    assert header == "Claims 11–12 of 12 (page 2 of 2):"
    assert first.startswith("#11 Up to 700 casualties among Russian troops a day")
    assert first.endswith(" — Ukrainian estimates (belligerent government), via Centre for "
                          "European Policy Analysis (CEPA) · 2025")  # fmt: skip
    assert second.startswith("#12 [RETRACTED] Up to 200,000 Russian troops killed or wounded")


def test_claims_page_in_ukrainian_translates_labels_figures_and_dates() -> None:
    page = [LAST_PAGE[0], retracted(LAST_PAGE[1])]
    header, first, second = render_claims_page(page, HTML, UK, page=2, total=12).split("\n")
    assert header == "Твердження 11–12 з 12 (сторінка 2 з 2):"
    assert first.endswith("(уряд сторони війни), через Centre for European Policy Analysis "
                          "(CEPA) · 2025")  # fmt: skip
    assert second.startswith("#12 [ВІДКЛИКАНО] До 200\xa0000 Russian troops: загиблі або поранені")


def test_a_page_past_the_last_says_there_are_no_claims_on_it() -> None:
    assert render_claims_page([], HTML, EN, page=9, total=17) == (
        "There are no claims on that page."
    )
    assert render_claims_page([], HTML, UK, page=9, total=17) == "На цій сторінці немає тверджень."


def test_claims_page_escapes_what_the_claim_says() -> None:
    (claim,) = public_claims()[:1]
    odd = claim.model_copy(update={"claimant": "A <b>& B</b>"})
    text = render_claims_page([odd], HTML, EN, page=1, total=1)
    assert "A &lt;b&gt;&amp; B&lt;/b&gt;" in text
    assert "<b>" not in text


def test_a_refused_import_lists_the_first_thirty_problems_and_counts_the_rest() -> None:
    problems = [f"claims[{n}].figure: <{n}> is not a number" for n in range(32)]
    lines = render_import_errors(problems, HTML, EN).split("\n")
    assert lines[0] == "Nothing was imported. 32 problem(s):"
    assert lines[1] == "• claims[0].figure: &lt;0&gt; is not a number"
    assert len(lines) == 1 + 30 + 1
    assert lines[-1] == "… and 2 more"
    ukrainian = render_import_errors(problems, HTML, UK).split("\n")
    assert (ukrainian[0], ukrainian[-1]) == ("Нічого не імпортовано. Проблем: 32.", "… і ще 2")
