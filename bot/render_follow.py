"""Rendering for followers: the message a claim change sends, and the replies to /follow,
/following and /unfollow. Pure: claims and subscriptions in, Telegram HTML out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import constants as c
from bot.i18n import Locale
from bot.render import Style, fit_message, format_figure, render_claim, render_compact, sources
from bot.search import SearchResult
from store import ClaimPublic
from store.outbox import DeliveryPublic
from store.subscriptions import SubscriptionPublic

# Fields whose change is a new figure ("revised from X to Y"); any other is a correction.
FIGURE_FIELDS = frozenset({"figure_low", "figure_high", "qualifier"})


def change_line(
    delivery: DeliveryPublic, claim: ClaimPublic, topic: str, style: Style, loc: Locale
) -> str:
    """What happened, in one line: new, revised from X to Y, corrected, or retracted."""
    quoted = style.esc(topic)
    if delivery.kind == "retracted":
        reason = style.esc(claim.retraction_reason or "")
        return loc._(c.NOTIFY_RETRACTED).format(reason=reason, topic=quoted)
    if delivery.kind == "new":
        return loc._(c.NOTIFY_NEW).format(topic=quoted)
    before = figure_before(claim, delivery.before)
    if before is not None:
        after = format_figure(claim, loc)
        return loc._(c.NOTIFY_REVISED).format(
            before=style.esc(format_figure(before, loc)), after=style.esc(after), topic=quoted
        )
    fields = ", ".join(sorted(delivery.before))
    return loc._(c.NOTIFY_CORRECTED).format(fields=style.esc(fields), topic=quoted)


def figure_before(claim: ClaimPublic, before: dict[str, Any]) -> ClaimPublic | None:
    """The claim with the figure it had before a revision, if the figure changed."""
    if not FIGURE_FIELDS & before.keys():
        return None
    changed = {name: value for name, value in before.items() if name in FIGURE_FIELDS}
    return claim.model_copy(update=changed)


def render_notification(
    delivery: DeliveryPublic,
    claim: ClaimPublic,
    subscription: SubscriptionPublic,
    style: Style,
    loc: Locale,
    previous: ClaimPublic | None = None,
) -> str:
    """One follower's message about one claim change, rendered like an answer."""
    parts = [
        style.bold(change_line(delivery, claim, subscription.topic, style, loc)),
        render_claim(claim, style, loc),
    ]
    if previous is not None:
        parts.append(
            loc._(c.NOTIFY_PREVIOUS).format(
                claimant=style.esc(sources(previous, loc)),
                figure=style.esc(format_figure(previous, loc)),
                date=style.esc(loc.date(previous.date)),
                id=previous.id,
            )
        )
    parts.append(style.italic(loc._(c.NOTIFY_FOOTER).format(id=subscription.id)))
    return fit_message("\n\n".join(parts))


def render_followed(
    subscription: SubscriptionPublic,
    result: SearchResult,
    style: Style,
    loc: Locale,
    *,
    new: bool,
) -> str:
    """The reply to /follow: what is followed, what answers it now, and how to stop."""
    started = c.FOLLOW_STARTED if new else c.FOLLOW_ALREADY
    topic = style.esc(subscription.topic)
    parts = [style.bold(loc._(started).format(id=subscription.id, topic=topic))]
    if result.answered:
        parts.append(loc._(c.FOLLOW_ANSWERED_NOW))
        parts.append(render_compact(result, style, loc, more_link=None))
    else:
        parts.append(style.italic(loc._(c.FOLLOW_NOTHING_YET)))
    parts.append(loc._(c.FOLLOW_HOW_TO_STOP).format(id=subscription.id))
    return fit_message("\n\n".join(parts))


def render_following(subscriptions: Sequence[SubscriptionPublic], style: Style, loc: Locale) -> str:
    """/following: the chat's subscriptions with their numbers."""
    if not subscriptions:
        return loc._(c.FOLLOWING_NONE)
    lines = [style.bold(loc._(c.FOLLOWING_HEADER))]
    for subscription in subscriptions:
        line = f"#{subscription.id} {style.esc(subscription.topic)}"
        if subscription.status == "paused":  # Telegram's reason stays in the store, for operators
            line += f" ({style.esc(loc._(c.FOLLOWING_PAUSED))})"
        lines.append(line)
    lines.append("")
    lines.append(style.italic(loc._(c.FOLLOWING_FOOTER)))
    return fit_message("\n".join(lines))
