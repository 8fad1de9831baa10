"""Claims and search results as text: HTML for Telegram, plain text for the CLI.

Every value that comes from a claim or a question passes through ``html.escape`` in HTML
mode; the fixed texts in ``bot.constants`` only use tags Telegram accepts. Labels are in the
reader's language (``Locale``); claim texts stay as stored.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC
from typing import Final

from bot import constants as c
from bot.compare import Comparison
from bot.domain import Spread, counts_same_thing, gives
from bot.i18n import EN, Locale
from bot.search import Reason, SearchResult
from store import AuditRecord, ClaimPublic, DraftPublic


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

    def fixed(self, text: str) -> str:
        """A fixed text from ``constants`` (which may hold tags) in this style."""
        if self.html:
            return text
        for tag in ("<b>", "</b>", "<i>", "</i>", "<code>", "</code>"):
            text = text.replace(tag, "")
        return html.unescape(text)


HTML = Style(html=True)
PLAIN = Style(html=False)


def format_figure(claim: ClaimPublic, loc: Locale = EN) -> str:
    """The figure in words and digits: "9,861", "about 9,000", "80,000–100,000"."""
    number = loc.number(claim.figure_low)
    if claim.figure_high is not None:
        number = f"{number}–{loc.number(claim.figure_high)}"
    if claim.qualifier in c.QUALIFIER_LABELS:
        number = loc._(c.QUALIFIER_LABELS[claim.qualifier]).format(figure=number)
    return number


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def describe(claim: ClaimPublic, loc: Locale = EN) -> str:
    """What a figure counts: measure, whose, where, over what period, and per what."""
    if claim.measure == "casualties":
        text = loc._(c.DESCRIBE_CASUALTIES).format(who=claim.who)
    else:
        measure = loc._(c.MEASURE_LABELS.get(claim.measure, claim.measure))
        text = loc._(c.DESCRIBE).format(who=claim.who, measure=measure)
    if claim.per in c.PER_LABELS:
        text += f" {loc._(c.PER_LABELS[claim.per])}"
    if claim.where:
        text += " " + loc._(c.IN_PLACE).format(where=claim.where)
    if claim.period:
        text += f" ({claim.period})"
    return text


def sources(claim: ClaimPublic, loc: Locale = EN) -> str:
    """The claimant and its type, then "via" whoever published and reported it."""
    claimant = claim.claimant
    if claim.claimant_type in c.CLAIMANT_TYPE_LABELS:
        claimant += f" ({loc._(c.CLAIMANT_TYPE_LABELS[claim.claimant_type])})"
    via = [
        name for name in (claim.published_by, claim.reported_by) if name and name != claim.claimant
    ]
    if not via:
        return claimant
    return loc._(c.VIA).format(claimant=claimant, via=f" {loc._(c.AND)} ".join(via))


def headline(claim: ClaimPublic, loc: Locale = EN) -> str:
    """One line: figure and what it counts, e.g. for an inline result title."""
    return f"{_capitalised(format_figure(claim, loc))} {describe(claim, loc)}"


def source_line(claim: ClaimPublic, loc: Locale = EN) -> str:
    """Claimant and date, e.g. for an inline result description."""
    return f"{sources(claim, loc)} · {loc.date(claim.date)}"


# Answers repeat the same few claims, and the index hands out the same claim objects until the
# store changes; so each is rendered once per object, style, language and form. The entry holds
# its claims, so an id is never reused while cached; a changed or copied claim is a new object.
RENDERS_KEPT: Final = 4096
_rendered: dict[tuple[object, ...], tuple[ClaimPublic, ClaimPublic | None, str]] = {}


def render_claim(
    claim: ClaimPublic,
    style: Style,
    loc: Locale = EN,
    *,
    newer: ClaimPublic | None = None,
    max_caveats: int | None = None,
    stored: bool = True,
) -> str:
    """A claim in full: figure, what it counts, sources, date, caveats, and any newer figure
    (and its id, once ``stored``)."""
    key = (id(claim), id(newer), style, loc.lang, max_caveats, stored)
    cached = _rendered.get(key)
    if cached is not None and cached[0] is claim and cached[1] is newer:
        return cached[2]
    if len(_rendered) >= RENDERS_KEPT:
        _rendered.clear()
    text = _render_claim(claim, style, loc, newer, max_caveats, stored)
    _rendered[key] = (claim, newer, text)
    return text


def _render_claim(
    claim: ClaimPublic,
    style: Style,
    loc: Locale,
    newer: ClaimPublic | None,
    max_caveats: int | None,
    stored: bool,
) -> str:
    figure = _capitalised(format_figure(claim, loc))
    lines = [f"{style.bold(figure)} {style.esc(describe(claim, loc))}"]
    if claim.status == "retracted":
        label = f"{loc._(c.RETRACTED_LABEL)}: {claim.retraction_reason or ''}".strip()
        lines.append(style.bold(label))
    lines.append(f"{style.esc(loc._(c.SOURCE_LABEL))}: {style.esc(sources(claim, loc))}")
    if claim.reported_in:
        lines.append(f"{style.esc(loc._(c.REPORTED_IN_LABEL))}: {style.esc(claim.reported_in)}")
    date = f"{style.esc(loc._(c.DATE_LABEL))}: {style.esc(loc.date(claim.date))}"
    if stored:
        date += f" · #{claim.id}"
    if claim.url:
        date += f" · {style.link(loc._(c.SOURCE_LINK), claim.url)}"
    lines.append(date)
    caveats = claim.caveats if max_caveats is None else claim.caveats[:max_caveats]
    if caveats:
        lines.append(f"{style.esc(loc._(c.CAVEATS_LABEL))}:")
        lines.extend(f"• {style.esc(caveat)}" for caveat in caveats)
    else:
        lines.append(style.italic(loc._(c.NO_CAVEATS)))
    if newer is not None:
        note = loc._(c.NEWER_FIGURE).format(
            figure=format_figure(newer, loc),
            source=newer.claimant,
            date=loc.date(newer.date),
            id=newer.id,
        )
        lines.append(style.italic(note))
    return "\n".join(lines)


def _labelled_source(claim: ClaimPublic, loc: Locale) -> str:
    return f"{claim.claimant}, {loc.date(claim.date)}"


def disagreement(claims: Sequence[ClaimPublic], style: Style, loc: Locale = EN) -> str | None:
    """The "Sources disagree: from X (A) to Y (B)." line, over claims that count the same thing."""
    comparable = [claim for claim in claims if counts_same_thing(claims[0], claim)]
    if not comparable or not (spread := Spread.of(comparable)).disagrees:
        return None
    return style.esc(
        loc._(c.DISAGREE).format(
            low=format_figure(spread.low, loc),
            low_source=_labelled_source(spread.low, loc),
            high=format_figure(spread.high, loc),
            high_source=_labelled_source(spread.high, loc),
        )
    )


def suggestion_label(claim: ClaimPublic, loc: Locale = EN) -> str:
    """A claim named without its figure, for "did you mean" lists and buttons."""
    return f"{describe(claim, loc)} — {claim.claimant}, {loc.date(claim.date)}"


def _no_answer_reason(result: SearchResult, loc: Locale) -> str:
    """Why no stored claim answers, in words: the facet no claim covers, named."""
    facets = result.facets
    if result.reason == Reason.FIGURE:
        figures = f" {loc._(c.AND)} ".join(loc.number(n) for n in sorted(result.quoted))
        return loc._(c.NO_FIGURE_GIVEN).format(figures=figures)
    named_source = facets.unknown_sources or tuple(sorted(facets.data_sources))
    if result.reason == Reason.CLAIMANT and named_source:
        return loc._(c.NO_FIGURE_FROM).format(source=" ".join(named_source))
    if result.reason == Reason.RATE and facets.rate in c.PER_LABELS and facets.rate != "day":
        return loc._(c.NO_RATE).format(rate=loc._(c.PER_LABELS[facets.rate]))
    sides = [loc._(c.SIDE_LABELS[side]) for side in sorted(facets.sides) if side in c.SIDE_LABELS]
    places = sorted(facets.places | facets.data_places | set(facets.unknown_places))
    reason = loc._(c.NO_ANSWER_REASONS.get(result.why or "weak", c.NO_ANSWER_REASONS["weak"]))
    return reason.format(
        sides=", ".join(sides) or loc._(c.THOSE),
        places=", ".join(place.title() for place in places) or loc._(c.THAT_PLACE),
        measures=", ".join(loc._(c.MEASURE_LABELS[m]) for m in sorted(facets.measures))
        or loc._(c.THOSE),
        years=", ".join(str(year) for year in sorted(facets.years)) or loc._(c.THAT_YEAR),
    )


def render_no_answer(result: SearchResult, style: Style, loc: Locale = EN) -> str:
    """An honest "no stored claim", why, and related claims: without figures, except when
    the question checks a figure none gives (then the stored figures are the answer)."""
    lines = [style.bold(loc._(c.NO_CLAIM)), style.esc(_no_answer_reason(result, loc))]
    if result.reason in ("chit-chat", "empty"):
        example = loc._(c.EXAMPLE_QUESTIONS[0])
        lines.append(style.esc(loc._(c.TRY_EXAMPLE).format(example=example)))
    if result.reason == Reason.FIGURE:
        lines.extend(["", style.esc(loc._(c.STORED_ON_THIS))])
        lines.extend(f"• {style.esc(_figure_label(claim, loc))}" for claim in result.suggestions)
    elif result.suggestions:
        lines.append("")
        lines.append(style.esc(loc._(c.SUGGESTIONS_HEADER)))
        lines.extend(f"• {style.esc(suggestion_label(claim, loc))}" for claim in result.suggestions)
    return "\n".join(lines)


def _figure_label(claim: ClaimPublic, loc: Locale) -> str:
    return f"{headline(claim, loc)} — {claim.claimant}, {loc.date(claim.date)}"


def fact_check_line(result: SearchResult, loc: Locale = EN) -> str | None:
    """ "9,861 is the figure given by X (Mar 2022).": what a fact-check confirms, when the
    first claim shown gives a figure the question quotes."""
    first = group_claim(result)
    given = [n for n in sorted(result.quoted) if first is not None and gives(first, n)]
    if first is None or not given:
        return None
    return loc._(c.FIGURE_GIVEN).format(
        figure=_capitalised(format_figure(first, loc)),
        source=first.claimant,
        date=loc.date(first.date),
    )


def shown_claims(result: SearchResult, limit: int = c.MAX_SHOWN_CLAIMS) -> list[ClaimPublic]:
    """The claims an answer shows: the best-ranked one first, what the question asked about;
    then, where sources disagree, the others on the same thing newest first, else the next
    best ones."""
    if not result.matches:
        return []
    best = result.matches[0].claim
    comparable = result.comparable()
    if comparable and Spread.of(comparable).disagrees:
        others = [claim for claim in comparable if claim.id != best.id]
    else:
        others = [match.claim for match in result.matches[1:]]
    return [best, *others][:limit]


def group_claim(result: SearchResult) -> ClaimPublic | None:
    """The one claim a group answer shows."""
    shown = shown_claims(result, 1)
    return shown[0] if shown else None


def render_answer(
    result: SearchResult, style: Style, loc: Locale = EN, *, limit: int = c.MAX_SHOWN_CLAIMS
) -> str:
    """The full answer: up to ``limit`` claims and the spread when sources disagree."""
    if not result.answered:
        return render_no_answer(result, style, loc)
    shown = shown_claims(result, limit)
    parts = [render_claim(claim, style, loc, newer=result.newer.get(claim.id)) for claim in shown]
    checked = fact_check_line(result, loc)
    if checked:
        parts.insert(0, style.bold(checked))
    spread = disagreement(result.comparable(), style, loc)
    if spread:
        parts.append(spread)
    extra = len(result.matches) - len(shown)
    if extra > 0:
        parts.append(style.italic(loc._(c.MORE_MATCHES).format(count=extra)))
    return fit_message("\n\n".join(parts))


def render_compact(
    result: SearchResult, style: Style, loc: Locale = EN, *, more_link: str | None
) -> str:
    """A group answer: the first claim shown, the spread, then a link to the rest in private."""
    if not result.answered:
        return render_no_answer(result, style, loc)
    first = group_claim(result)
    assert first is not None  # answered
    text = render_claim(first, style, loc, newer=result.newer.get(first.id), max_caveats=2)
    checked = fact_check_line(result, loc)
    if checked:
        text = f"{style.bold(checked)}\n\n{text}"
    spread = disagreement(result.comparable(), style, loc)
    if spread:
        text += "\n\n" + spread
    extra = len(result.matches) - 1
    if extra > 0:
        label = (
            loc._(c.MORE_SOURCES_ONE) if extra == 1 else loc._(c.MORE_SOURCES).format(count=extra)
        )
        text += "\n\n" + (style.link(label, more_link) if more_link else style.esc(label))
    return fit_message(text)


def render_claims(claims: Sequence[ClaimPublic], style: Style, loc: Locale = EN) -> str:
    """Several claims in full, e.g. after a deep link or a suggestion button."""
    parts = [render_claim(claim, style, loc) for claim in claims]
    return fit_message("\n\n".join(parts))


def what_is_counted(claim: ClaimPublic, loc: Locale = EN) -> str:
    """What a comparison counts: a claim's description without its period."""
    return describe(claim.model_copy(update={"period": None}), loc)


def format_ratio(ratio: float) -> str:
    return f"{ratio:,.0f}" if ratio >= 10 else f"{ratio:.1f}"


def render_comparison(
    comparison: Comparison,
    style: Style,
    loc: Locale = EN,
    *,
    limit: int | None = None,
    more_link: str | None = None,
) -> str:
    """One line per claim (figure, claimant and type, date, the main caveat), newest first,
    then the spread: lowest to highest and how many times apart."""
    claims = list(comparison.claims)
    shown = claims if limit is None else claims[:limit]
    width = max(len(format_figure(claim, loc)) for claim in shown)
    what = what_is_counted(comparison.best, loc)
    lines = [style.bold(loc._(c.COMPARE_HEADER).format(what=what))]
    for claim in shown:
        figure = format_figure(claim, loc).rjust(width)
        row = f"{style.esc(sources(claim, loc))}, {style.esc(loc.date(claim.date))} · #{claim.id}"
        if claim.where != comparison.best.where and claim.where:  # an overlapping place
            row = f"[{style.esc(claim.where)}] {row}"
        if claim.id in comparison.superseded:
            row += " " + style.italic(
                f"({loc._(c.COMPARE_SUPERSEDED).format(id=comparison.superseded[claim.id])})"
            )
        if claim.caveats:
            row += f" — {style.italic(claim.caveats[0])}"
        figure_cell = f"<code>{style.esc(figure)}</code>" if style.html else figure
        lines.append(f"{figure_cell}  {row}")
    if len(shown) < len(claims):
        label = loc._(c.COMPARE_MORE).format(count=len(claims) - len(shown))
        lines.append(style.link(label, more_link) if more_link else style.esc(label))
    if len(comparison.current) >= 2:
        spread = comparison.spread
        low, high, ratio = spread.low, spread.high, spread.ratio
        template = c.COMPARE_SPREAD if ratio is not None else c.COMPARE_SPREAD_NO_RATIO
        summary = loc._(template).format(
            low=format_figure(low, loc),
            low_source=_labelled_source(low, loc),
            high=format_figure(high, loc),
            high_source=_labelled_source(high, loc),
            ratio=format_ratio(ratio) if ratio is not None else "",
        )
        lines.extend(["", style.esc(summary)])
    return fit_message("\n".join(lines))


def comparison_summary(comparison: Comparison, loc: Locale = EN) -> str:
    """One line that sums a comparison up (a chart's caption, an inline description)."""
    claims = comparison.claims
    what = what_is_counted(comparison.best, loc)
    spread = comparison.spread
    low, high = spread.low, spread.high
    ratio = spread.ratio if len(comparison.current) >= 2 else None
    template = c.CHART_CAPTION_RATIO if ratio is not None and ratio > 1 else c.CHART_CAPTION
    text = loc._(template).format(
        count=len(claims),
        what=what,
        low=f"{format_figure(low, loc)} ({low.claimant}, {loc.date(low.date)})",
        high=f"{format_figure(high, loc)} ({high.claimant}, {loc.date(high.date)})",
        ratio=format_ratio(ratio) if ratio else "",
    )
    return text[: c.MAX_CAPTION_CHARS]


def fit_message(text: str, limit: int = c.MAX_MESSAGE_CHARS) -> str:
    """Cut a message at a paragraph boundary so it stays within Telegram's limit."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n\n", 0, limit - 2)
    if cut <= 0:
        cut = text.rfind("\n", 0, limit - 2)
    # Cutting at a line break never splits a tag: every tag opens and closes on one line.
    return text[: cut if cut > 0 else 0].rstrip() + "\n…"


# --- admin views: /claim, /history, /claims and /import ----------------------------------

HISTORY_VALUE_CHARS: Final = 120  # characters of a value before or after an edit
IMPORT_ERRORS_SHOWN: Final = 30  # problems listed for a refused import; the rest are counted


def render_claim_record(
    claim: ClaimPublic, records: Sequence[AuditRecord], style: Style, loc: Locale = EN
) -> str:
    """/claim N: the claim in full, one line per change to it, and its key."""
    lines = [render_claim(claim, style, loc), "", style.bold(loc._(c.HISTORY_HEADER))]
    lines.extend(_history_line(record, style, loc) for record in records)
    lines.append(f"{style.esc(loc._(c.KEY_LABEL))}: {_code(claim.key, style)}")
    return fit_message("\n".join(lines))


def render_history(
    claim: ClaimPublic, records: Sequence[AuditRecord], style: Style, loc: Locale = EN
) -> str:
    """/history N: who changed the claim, when, and every field before and after."""
    lines = [style.bold(f"#{claim.id} {headline(claim, loc)}"), style.bold(loc._(c.HISTORY_HEADER))]
    for record in records:
        lines.append(_history_line(record, style, loc))
        lines.extend(_changed_fields(record, style))
    return fit_message("\n".join(lines))


def render_claims_page(
    claims: Sequence[ClaimPublic],
    style: Style,
    loc: Locale = EN,
    *,
    page: int,
    total: int,
    page_size: int = c.CLAIMS_PAGE_SIZE,
) -> str:
    """/claims: one line per claim on this page (retracted ones marked), under where it is."""
    if not claims:
        return style.esc(loc._(c.NO_CLAIMS))
    first = (page - 1) * page_size + 1
    header = loc._(c.CLAIMS_PAGE).format(
        first=first,
        last=first + len(claims) - 1,
        total=total,
        page=page,
        pages=max(1, -(-total // page_size)),
    )
    lines = [style.esc(header)]
    for claim in claims:
        mark = "" if claim.is_active else f" [{style.esc(loc._(c.RETRACTED_LABEL))}]"
        lines.append(
            f"#{claim.id}{mark} {style.esc(headline(claim, loc))} — "
            f"{style.esc(source_line(claim, loc))}"
        )
    return fit_message("\n".join(lines))


def render_import_errors(problems: Sequence[object], style: Style, loc: Locale = EN) -> str:
    """Why an import stored nothing: the first problems, one a line, and how many more."""
    lines = [style.esc(loc._(c.IMPORT_FAILED).format(count=len(problems)))]
    lines.extend(f"• {style.esc(str(problem))}" for problem in problems[:IMPORT_ERRORS_SHOWN])
    if len(problems) > IMPORT_ERRORS_SHOWN:
        more = len(problems) - IMPORT_ERRORS_SHOWN
        lines.append(style.esc(loc._(c.IMPORT_MORE_ERRORS).format(count=more)))
    return fit_message("\n".join(lines))


def _history_line(record: AuditRecord, style: Style, loc: Locale) -> str:
    """When (in UTC), who, what they did and to what: "• 2024-01-02 10:00 UTC · 42 · edit: url"."""
    at = record.at if record.at.tzinfo else record.at.replace(tzinfo=UTC)  # SQLite drops it
    when = at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    action = loc._(c.HISTORY_ACTIONS.get(record.action, record.action))
    return style.esc(f"• {when} · {record.actor} · {action}{_history_detail(record)}")


def _history_detail(record: AuditRecord) -> str:
    """A retraction's reason, or the fields an edit changed."""
    if record.action == "retract":
        return f": {record.changes.get('retraction_reason', [None, ''])[1]}"
    if record.action == "edit" and record.changes:
        return ": " + ", ".join(sorted(record.changes))
    return ""


def _changed_fields(record: AuditRecord, style: Style) -> list[str]:
    """A change's fields, one an indented line: "figure_low: 100000 → 120000"."""
    if record.action == "add":  # every field is new; the claim itself shows them
        return []
    return [
        "    " + style.esc(f"{name}: {_short_value(before)} → {_short_value(after)}")
        for name, (before, after) in sorted(record.changes.items())
        if before != after
    ]


def _short_value(value: object) -> str:
    text = "—" if value in (None, "", []) else str(value)
    if len(text) <= HISTORY_VALUE_CHARS:
        return text
    return text[: HISTORY_VALUE_CHARS - 1] + "…"


def _code(text: str, style: Style) -> str:
    return f"<code>{style.esc(text)}</code>" if style.html else text


def render_draft(
    draft: DraftPublic,
    stored: ClaimPublic | Exception,
    style: Style,
    loc: Locale = EN,
    *,
    required: int = 1,
) -> str:
    """A draft for review: as it would be stored (or what needs correcting), the sentence it
    came from, and the approvals it has."""
    lines = [style.bold(loc._(c.DRAFT_HEADER).format(id=draft.id))]
    if isinstance(stored, ClaimPublic):
        lines.append(render_claim(stored, style, loc, stored=False))
    else:
        lines.append(style.esc(loc._(c.DRAFT_INVALID).format(error=stored)))
    evidence = draft.evidence[: c.MAX_EVIDENCE_SHOWN]
    lines.append(f"{style.esc(loc._(c.DRAFT_EVIDENCE))}: {style.italic(evidence)}")
    if draft.suggested_by:
        lines.append(style.esc(loc._(c.DRAFT_SUGGESTED)))
    if required > 1:
        count = len(draft.approvals)
        lines.append(style.esc(loc._(c.DRAFT_APPROVALS).format(count=count, required=required)))
    return fit_message("\n".join(lines))
