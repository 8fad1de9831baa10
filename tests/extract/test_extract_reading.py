"""Text or HTML as an article, and drafts as claims in the import format."""

from __future__ import annotations

import datetime
import subprocess
import sys
from pathlib import Path

import pytest

from bot.extract import Article, Draft, draft_claims, read_article
from store import validate_claim

PAGE = """<!doctype html><html><head><title>Strike on Dnipro | Example News</title>
<meta name="author" content="Olena Petrenko">
<meta property="og:site_name" content="Example News">
<meta property="article:published_time" content="2025-04-02T10:00:00Z">
</head><body><nav>Home | World | Sport</nav><article><h1>Strike on Dnipro</h1>
<p>A missile strike on a residential block in Dnipro killed 14 civilians on Tuesday, the
regional governor said, and wounded 52 others, including six children.</p>
<p>Rescue teams worked through the night. The building had nine floors and 120 flats,
and its residents had lived there since 1978.</p></article>
<footer>Subscribe for 5 dollars a month</footer></body></html>"""


def test_an_html_page_becomes_its_article_text_and_metadata() -> None:
    article = read_article(PAGE, content_type="text/html; charset=utf-8")
    assert "killed 14 civilians" in article.text
    assert "Home | World" not in article.text
    assert article.author == "Olena Petrenko"
    assert article.published == datetime.date(2025, 4, 2)
    assert article.publisher == "Example News"
    assert article.lang == "en"
    assert [draft.figure for draft in draft_claims(article)] == [14, 52, 6]  # six children


def test_html_bytes_in_their_declared_encoding_are_read() -> None:
    raw = PAGE.replace("Dnipro killed", "Дніпрі killed").encode("cp1251", errors="replace")
    article = read_article(raw, content_type="text/html; charset=windows-1251")
    assert "Дніпрі" in article.text


@pytest.mark.parametrize(
    "raw",
    ["<html><body><p>unclosed", "<<<>>>", b"\xff\xfe\x00<html>", "", "<html></html>"],
)
def test_malformed_input_never_raises(raw: str | bytes) -> None:
    article = read_article(raw, content_type="text/html")
    assert isinstance(article.text, str)
    assert isinstance(draft_claims(article), list)


def test_plain_text_s_first_line_is_its_title_and_a_dated_line_its_date() -> None:
    text = (
        "Shelling kills 14 in Dnipro\n\nPublished 2 April 2025\n\n"
        "A strike killed 14 civilians, the governor said.\n\nBy Olena Petrenko"
    )
    article = read_article(text)
    assert article.title == "Shelling kills 14 in Dnipro"
    assert article.published == datetime.date(2025, 4, 2)
    assert article.author == "Olena Petrenko"
    assert "Shelling kills" not in article.text


@pytest.mark.parametrize(
    ("line", "date"),
    [("03.11.2025", datetime.date(2025, 11, 3)), ("3 листопада 2025", datetime.date(2025, 11, 3))],
)
def test_a_date_line_is_read_in_any_of_the_languages(line: str, date: datetime.date) -> None:
    article = read_article(f"Заголовок статті\n\n{line}\n\nЗагинули 14 мирних жителів.")
    assert article.published == date


def _draft() -> tuple[Article, Draft]:
    article = Article(
        text="The governor said 14 civilians were killed in Dnipro.",
        title="Strike on Dnipro",
        author="Olena Petrenko",
        publisher="Example News",
        url="https://example.com/dnipro",
        published=datetime.date(2025, 4, 2),
    )
    (draft,) = draft_claims(article)
    return article, draft


def test_a_draft_as_a_claim_carries_the_article_s_title_author_publisher_and_url() -> None:
    article, draft = _draft()
    claim = draft.as_claim(article, key="dnipro-strike-2025-04")
    assert claim["reported_in"] == "Strike on Dnipro"
    assert claim["reported_by"] == "Olena Petrenko"
    assert claim["published_by"] == "Example News"
    assert claim["url"] == "https://example.com/dnipro"
    assert validate_claim(claim).figure == 14


def test_a_ranged_draft_is_a_valid_claim_with_its_range() -> None:
    article = Article(text="The blogger said 80–100 thousand soldiers were killed.", lang="en")
    (draft,) = draft_claims(article)
    claim = draft.as_claim(article, key="range-test")
    assert claim["figure"] == [80000, 100000]
    validate_claim(claim)


def test_every_seed_draft_is_a_valid_claim() -> None:
    seeds = Path(__file__).parents[3] / "shared" / "seeds"
    for number, path in enumerate(sorted(seeds.glob("*.txt"))):
        article = read_article(path.read_text(encoding="utf-8"))
        for index, draft in enumerate(draft_claims(article)):
            validate_claim(draft.as_claim(article, key=f"seed-{number}-{index}"))


def test_the_extractor_imports_no_telegram_and_no_database_code() -> None:
    banned = "('telegram', 'sqlmodel', 'sqlalchemy', 'store')"
    probe = f"import sys, bot.extract; print(sorted(m for m in {banned} if m in sys.modules))"
    result = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).parents[2],
    )
    assert result.stdout.strip() == "[]"
