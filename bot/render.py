"""Claims and search results as text: HTML for Telegram, plain text for the CLI.

Every value that comes from a claim or a question passes through ``html.escape`` in HTML
mode; the fixed texts in ``bot.constants`` only use tags Telegram accepts.
"""

from __future__ import annotations

import calendar
import html
from collections.abc import Sequence
from dataclasses import dataclass

from bot import constants as c
from bot.search import SearchResult, counts_same_thing
from store.models import ClaimPublic


@dataclass(frozen=True)
class Style:
    """How to mark text up: ``HTML`` for Telegram, ``PLAIN`` for a terminal."""

    html: bool

    def esc(self, text: str) -> str:
        return html.escape(text, quote=False) if self.html else text

    def bold(self, text: str) -> str:
        return f"<b>{self.esc(text)}</b>" if self.html else text

    def italic(self, text: str) -> str:
        return f"<i>{self.esc(text)}</i>" if self.html else text

    def link(self, text: str, url: str) -> str:
        if self.html:
            return f'<a href="{html.escape(url, quote=True)}">{self.esc(text)}</a>'
        return f"{text} <{url}>"

    def strip(self, fixed_text: str) -> str:
        """A fixed text from ``constants`` (which may hold tags) in this style."""
        if self.html:
            return fixed_text
        for tag in ("<b>", "</b>", "<i>", "</i>", "<code>", "</code>"):
            fixed_text = fixed_text.replace(tag, "")
        return html.unescape(fixed_text)


HTML = Style(html=True)
PLAIN = Style(html=False)


def format_number(value: int) -> str:
    return f"{value:,}"


def format_figure(claim: ClaimPublic) -> str:
    """ "9,861", "about 9,000", "more than 100,000", "80,000–100,000"."""
    number = format_number(claim.figure_low)
    if claim.figure_high is not None:
        number = f"{number}–{format_number(claim.figure_high)}"
    if claim.qualifier and claim.qualifier != "exact":
        number = f"{claim.qualifier} {number}"
    return number


def format_date(date: str) -> str:
    """A claim date at its own precision: "2 Mar 2022", "Mar 2022" or "2022"."""
    parts = date.split("-")
    if len(parts) == 1:
        return parts[0]
    month = calendar.month_abbr[int(parts[1])]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def describe(claim: ClaimPublic) -> str:
    """What a figure counts: measure, whose, where, over what period, and per what."""
    if claim.measure == "casualties":
        text = c.CASUALTIES_OF.format(who=claim.who)
    else:
        text = f"{claim.who} {claim.measure}"
    if claim.per == "day":
        text += f" {c.PER_DAY}"
    elif claim.per:
        text += f" a {claim.per}"
    if claim.where:
        text += f" in {claim.where}"
    if claim.period:
        text += f" ({claim.period})"
    return text


def sources(claim: ClaimPublic) -> str:
    """The claimant, then "via" whoever published and reported it."""
    via = [
        name for name in (claim.published_by, claim.reported_by) if name and name != claim.claimant
    ]
    return f"{claim.claimant}, {c.VIA_LABEL} {' and '.join(via)}" if via else claim.claimant


def headline(claim: ClaimPublic) -> str:
    """One line: figure and what it counts, e.g. for an inline result title."""
    figure = format_figure(claim)
    return f"{figure[:1].upper()}{figure[1:]} {describe(claim)}"


def source_line(claim: ClaimPublic) -> str:
    """Claimant and date, e.g. for an inline result description."""
    return f"{sources(claim)} · {format_date(claim.date)}"


def render_claim(claim: ClaimPublic, style: Style, *, max_caveats: int | None = None) -> str:
    """A claim in full: figure, what it counts, sources, date, caveats."""
    figure = format_figure(claim)
    lines = [f"{style.bold(figure[:1].upper() + figure[1:])} {style.esc(describe(claim))}"]
    if claim.status == "retracted":
        lines.append(style.bold(f"{c.RETRACTED_LABEL}: {claim.retraction_reason or ''}".strip()))
    lines.append(f"{c.SOURCE_LABEL}: {style.esc(sources(claim))}")
    if claim.reported_in:
        lines.append(f"{c.REPORTED_IN_LABEL}: {style.esc(claim.reported_in)}")
    date = f"{c.DATE_LABEL}: {style.esc(format_date(claim.date))} · #{claim.id}"
    if claim.url:
        date += f" · {style.link('source', claim.url)}"
    lines.append(date)
    caveats = claim.caveats if max_caveats is None else claim.caveats[:max_caveats]
    if caveats:
        lines.append(f"{c.CAVEATS_LABEL}:")
        lines.extend(f"• {style.esc(caveat)}" for caveat in caveats)
    else:
        lines.append(style.italic(c.NO_CAVEATS))
    return "\n".join(lines)


def disagreement(claims: Sequence[ClaimPublic], style: Style) -> str | None:
    """ "Sources disagree: from X (A) to Y (B)." when comparable claims differ."""
    if len(claims) < 2:
        return None
    first = claims[0]
    comparable = [claim for claim in claims if counts_same_thing(first, claim)]
    figures = {(claim.figure_low, claim.figure_high) for claim in comparable}
    if len(comparable) < 2 or len(figures) < 2:
        return None
    low = min(comparable, key=lambda claim: (claim.figure_low, claim.figure_high or 0))
    high = max(comparable, key=lambda claim: claim.figure_high or claim.figure_low)
    return style.esc(
        c.DISAGREE.format(
            low=format_figure(low),
            low_source=f"{low.claimant}, {format_date(low.date)}",
            high=format_figure(high),
            high_source=f"{high.claimant}, {format_date(high.date)}",
        )
    )


def suggestion_label(claim: ClaimPublic) -> str:
    """A claim named without its figure, for "did you mean" lists and buttons."""
    return f"{describe(claim)} — {claim.claimant}, {format_date(claim.date)}"


def render_no_answer(result: SearchResult, style: Style) -> str:
    """An honest "no stored claim", why, and related claims without figures."""
    facets = result.facets
    reason = c.NO_ANSWER_REASONS.get(result.reason or "weak", "")
    reason = reason.format(
        sides=", ".join(sorted(facets.sides)).title() or "those",
        places=", ".join(sorted(facets.places | set(facets.unknown_places))).title()
        or "that place",
        measures=", ".join(sorted(facets.measures)) or "that",
        years=", ".join(str(year) for year in sorted(facets.years)) or "that year",
    )
    lines = [style.bold(c.NO_CLAIM)]
    if reason:
        lines.append(style.esc(reason))
    if result.reason in ("chit-chat", "empty"):
        lines.append(style.esc(c.TRY_EXAMPLE.format(example=c.EXAMPLE_QUESTIONS[0])))
    if result.suggestions:
        lines.append("")
        lines.append(style.esc(c.SUGGESTIONS_HEADER))
        lines.extend(f"• {style.esc(suggestion_label(claim))}" for claim in result.suggestions)
    return "\n".join(lines)


def render_answer(result: SearchResult, style: Style, *, limit: int = c.MAX_SHOWN_CLAIMS) -> str:
    """The full answer: up to ``limit`` claims, best first, and any disagreement."""
    if not result.answered:
        return render_no_answer(result, style)
    shown = [match.claim for match in result.matches[:limit]]
    parts = [render_claim(claim, style) for claim in shown]
    spread = disagreement(shown, style)
    if spread:
        parts.append(spread)
    extra = len(result.matches) - len(shown)
    if extra > 0:
        parts.append(style.italic(c.MORE_MATCHES.format(count=extra)))
    return fit_message("\n\n".join(parts))


def render_compact(result: SearchResult, style: Style, *, more_link: str | None) -> str:
    """A group answer: the best claim, then a link to the other sources in private."""
    if not result.answered:
        return render_no_answer(result, style)
    text = render_claim(result.matches[0].claim, style, max_caveats=2)
    extra = len(result.matches) - 1
    if extra > 0:
        label = c.MORE_SOURCES_ONE if extra == 1 else c.MORE_SOURCES.format(count=extra)
        text += "\n\n" + (style.link(label, more_link) if more_link else style.esc(label))
    return fit_message(text)


def render_claims(claims: Sequence[ClaimPublic], style: Style) -> str:
    """Several claims in full, e.g. after a deep link or a suggestion button."""
    shown = list(claims)
    parts = [render_claim(claim, style) for claim in shown]
    spread = disagreement(shown, style)
    if spread:
        parts.append(spread)
    return fit_message("\n\n".join(parts))


def fit_message(text: str, limit: int = c.MAX_MESSAGE_CHARS) -> str:
    """Cut a message at a paragraph boundary so it stays within Telegram's limit."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n\n", 0, limit - 2)
    if cut <= 0:
        cut = text.rfind("\n", 0, limit - 2)
    # Cutting at a line break never splits a tag: every tag opens and closes on one line.
    return text[: cut if cut > 0 else 0].rstrip() + "\n…"
