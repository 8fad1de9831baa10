"""Every user-facing text and tunable number in one place (units in the comments).

Texts are English ``str.format`` templates marked with ``N_`` for translation; they are
translated where they are used (``Locale._``), then filled in. The renderer escapes what goes
into them; texts meant for Telegram use only the HTML tags Telegram accepts.
"""

from __future__ import annotations

from typing import Final

from bot.i18n import N_
from bot.vocabulary import VOCABULARY

# --- numbers ----------------------------------------------------------------------------
MAX_SHOWN_CLAIMS: Final = 3  # claims in one answer; more are summarised as "N more"
MAX_MESSAGE_CHARS: Final = 4096  # Telegram's limit for one message, after entity parsing
MAX_QUESTION_CHARS: Final = 1000  # characters of a question that are read
INLINE_RESULTS: Final = 10  # results in one inline answer (Telegram allows 50)
INLINE_CACHE_SECONDS: Final = 10  # seconds; short, because admins change claims
CLAIMS_PAGE_SIZE: Final = 10  # claims per /claims page
INDEX_REFRESH_SECONDS: Final = 1.0  # seconds between checks of the store revision
RATE_LIMIT_RETRIES: Final = 3  # times a 429 or 5xx is retried before giving up
MAX_IMPORT_BYTES: Final = 20 * 1024 * 1024  # bytes; the Bot API's own download limit
START_PAYLOAD_MAX: Final = 64  # characters Telegram allows in a /start deep-link payload
GROUP_COMPARE_ROWS: Final = 5  # claims a /compare shows in a group before linking to the rest
MAX_CAPTION_CHARS: Final = 1024  # Telegram's limit for a photo caption
MAX_ALERT_CHARS: Final = 200  # Telegram's limit for a button's answer
CHART_SIZE_INCHES: Final = (8.0, 5.6)  # width, height; with CHART_DPI about 1200 x 840 px
CHART_DPI: Final = 150  # dots per inch: sharp on a phone, small enough to send

# --- what a claim counts ----------------------------------------------------------------
# Labels of vocabulary concepts are message ids from bot/vocabulary/*.toml.
MEASURE_LABELS: Final = {measure.id: measure.label for measure in VOCABULARY.measures.values()}
QUALIFIER_LABELS: Final = {
    "about": N_("about {figure}"),
    "more than": N_("more than {figure}"),
    "at least": N_("at least {figure}"),
    "fewer than": N_("fewer than {figure}"),
    "up to": N_("up to {figure}"),
}
CLAIMANT_TYPE_LABELS: Final = {kind.id: kind.label for kind in VOCABULARY.claimant_types.values()}
SIDE_LABELS: Final = {side.id: side.label for side in VOCABULARY.sides.values() if side.label}
DESCRIBE: Final = N_("{who} {measure}")
DESCRIBE_CASUALTIES: Final = N_("casualties among {who}")
PER_LABELS: Final = {
    "day": N_("a day"),
    "week": N_("a week"),
    "month": N_("a month"),
    "year": N_("a year"),
}
IN_PLACE: Final = N_("in {where}")

# --- labels -----------------------------------------------------------------------------
SOURCE_LABEL: Final = N_("Claimed by")
VIA: Final = N_("{claimant}, via {via}")
AND: Final = N_("and")
REPORTED_IN_LABEL: Final = N_("Reported in")
DATE_LABEL: Final = N_("Date")
SOURCE_LINK: Final = N_("source")
CAVEATS_LABEL: Final = N_("Caveats")
NO_CAVEATS: Final = N_("No caveats recorded.")
RETRACTED_LABEL: Final = N_("RETRACTED")
NEWER_FIGURE: Final = N_("Newer figure available: {figure} ({source}, {date}, #{id}).")
DISAGREE: Final = N_("Sources disagree: from {low} ({low_source}) to {high} ({high_source}).")
MORE_MATCHES: Final = N_("{count} more stored claims match; ask more precisely to narrow it down.")
MORE_SOURCES: Final = N_("{count} more sources")
MORE_SOURCES_ONE: Final = N_("1 more source")

# --- no answer --------------------------------------------------------------------------
NO_CLAIM: Final = N_("No stored claim answers this question.")
NO_ANSWER_REASONS: Final = {
    "side": N_("We hold no figure for {sides} losses."),
    "place": N_("We hold no figure for {places}."),
    "measure": N_("We hold no figure of that kind ({measures}) for it."),
    "claimant": N_("We hold no figure from that source on this."),
    "year": N_("We hold no figure for {years}."),
    "rate": N_("We hold no daily rate for that."),
    "equipment": N_("We hold figures for people only, not equipment."),
    "civilians": N_("We hold no figures for civilian deaths."),
    "mercenaries": N_("We hold no figures for mercenaries."),
    "children": N_("We hold no figure for children on this."),
    "hostages": N_("We hold no figure for hostages on this."),
    "foreign fighters": N_("We hold no figure for foreign fighters on this."),
    "date": N_("We hold no figure for that day."),
    "outcome": N_("We hold casualty figures, not who won or is winning."),
    "other": N_("We hold figures for soldiers' losses only."),
    "population": N_("This bot answers questions about casualty figures only."),
    "troop strength": N_("This bot answers questions about casualty figures, not troop numbers."),
    "off topic": N_("This bot answers questions about casualty figures only."),
    "chit-chat": N_("Ask me about casualty figures."),
    "weak": N_("Nothing stored matches it closely enough."),
    "empty": N_("Please ask a question."),
}
NO_FIGURE_FROM: Final = N_("We hold no figure from “{source}” on this.")
NO_RATE: Final = N_("We hold no figure {rate} for that.")
NO_FIGURE_GIVEN: Final = N_("No stored claim gives {figures}.")
STORED_ON_THIS: Final = N_("Stored claims on this:")
FIGURE_GIVEN: Final = N_("{figure} is the figure given by {source} ({date}).")
THOSE: Final = N_("those")
THAT_PLACE: Final = N_("that place")
THAT_YEAR: Final = N_("that year")
SUGGESTIONS_HEADER: Final = N_("Related stored claims:")
EXAMPLE_QUESTIONS: Final = (
    N_("How many Russian soldiers died in Bakhmut?"),
    N_("What did the Komsomolskaya Pravda leak say?"),
    N_("Russian losses according to the UK MoD"),
    N_("Russian casualties per day"),
)
TRY_EXAMPLE: Final = N_("For example: {example}")

# --- comparisons and charts -------------------------------------------------------------
COMPARE_HEADER: Final = N_("{what}: every stored claim, newest first")
COMPARE_SPREAD: Final = N_(
    "Spread: from {low} ({low_source}) to {high} ({high_source}), {ratio}× apart."
)
COMPARE_SPREAD_NO_RATIO: Final = N_("Spread: from {low} ({low_source}) to {high} ({high_source}).")
COMPARE_SUPERSEDED: Final = N_("superseded by #{id}")
COMPARE_MORE: Final = N_("+{count} more")
COMPARE_USAGE: Final = N_(
    "Name a topic after the command, for example:\n<code>/compare {example}</code>"
)
CHART_USAGE: Final = N_(
    "Name a topic after the command, for example:\n<code>/chart {example}</code>"
)
COMPARE_EXAMPLE: Final = N_("Russian soldiers killed")
CHART_TITLE: Final = N_("{what}: how the estimates diverge")
CHART_X_LABEL: Final = N_("Date of the claim")
CHART_Y_LABEL: Final = N_("Figure claimed")
CHART_Y_LABEL_LOG: Final = N_("Figure claimed (log scale)")
CHART_FOOTNOTE: Final = N_(
    "Figures as claimed, not verified counts. Source: casualty-bot claims {ids}."
)
CHART_MORE_THAN: Final = N_("more than / at least")
CHART_FEWER_THAN: Final = N_("fewer than / up to")
CHART_RANGE: Final = N_("range")
CHART_CAPTION: Final = N_("Claims on {what} ({count}): from {low} to {high}.")
CHART_CAPTION_RATIO: Final = N_("Claims on {what} ({count}): from {low} to {high}, {ratio}× apart.")
COMMAND_COMPARE: Final = N_("Compare every claim on a topic")
COMMAND_CHART: Final = N_("Chart how the estimates diverge")
INLINE_COMPARE_TITLE: Final = N_("Compare the claims ({count}): {what}")

# --- bot texts --------------------------------------------------------------------------
HELP: Final = N_(
    "<b>Casualty figures, with their sources and caveats.</b>\n\n"
    "Ask how many soldiers were killed or wounded, and I answer with every stored figure "
    "that fits: who claimed it, who reported it, when, and what is wrong with it. "
    "Where sources disagree, you see them side by side. Where no stored claim answers, "
    "I say so.\n\n"
    "<b>Try:</b>\n{examples}\n\n"
    "<b>In groups:</b> /ask QUESTION, reply to one of my messages, or mention me.\n"
    "<b>Anywhere:</b> type @{bot} and a few words."
)
ADMIN_HELP: Final = N_(
    "<b>Admin commands</b>\n"
    "/addclaim FIGURE | WHAT | CLAIMANT | DATE | CAVEATS [| URL]\n"
    "/editclaim N field=value\n"
    "/retract N REASON\n"
    "/claim N, /claims [page], /export, /import (reply to a JSON file)"
)
ASK_USAGE: Final = N_("Ask a question after the command, for example:\n<code>/ask {example}</code>")
ADMINS_ONLY: Final = N_("This command is for admins only.")
SLOW_DOWN: Final = N_("Too many questions at once. I will answer again in a minute.")
HISTORY_USAGE: Final = N_("Format: <code>/history N</code>")
APOLOGY: Final = N_("Sorry, something went wrong while answering. Please try again in a moment.")
BUTTON_EXPIRED: Final = N_("This button has expired. Please ask again.")
CLAIM_GONE: Final = N_("That claim is no longer available.")
INLINE_NO_CLAIM_TITLE: Final = N_("No stored claim")
INLINE_NO_CLAIM_DESCRIPTION: Final = N_("No stored claim answers “{query}”.")
UNKNOWN_COMMAND: Final = N_("I don't know that command. Send /help to see what I can do.")
COMMAND_ASK: Final = N_("Ask about a casualty figure")
COMMAND_HELP: Final = N_("What I do, with examples")

ADDCLAIM_USAGE: Final = N_(
    "Format:\n<code>/addclaim FIGURE | WHAT | CLAIMANT | DATE | CAVEATS [| URL]</code>\n"
    "Example:\n<code>/addclaim 100,000 | Russian troops killed in Bakhmut, 2023 | "
    "Western intelligence | 2023-05 | assessment, not a count</code>\n"
    "FIGURE: 9861, 9,861, ~9000, &gt;100000, &lt;6000 or 80000-100000. "
    "DATE: YYYY, YYYY-MM or YYYY-MM-DD. Separate several caveats with “;”."
)
EDITCLAIM_USAGE: Final = N_(
    "Format: <code>/editclaim N field=value</code>, for example "
    "<code>/editclaim 3 caveats=deleted after publication; unverified</code>\n"
    "Fields: {fields}"
)
RETRACT_USAGE: Final = N_("Format: <code>/retract N REASON</code>")
CLAIM_USAGE: Final = N_("Format: <code>/claim N</code>")
IMPORT_USAGE: Final = N_("Send /import as a reply to a JSON document in the export format.")
IMPORT_TOO_BIG: Final = N_("That file is too large to import (the limit is {limit} MB).")
IMPORT_BAD_JSON: Final = N_("That file is not valid JSON: {error}")
IMPORT_FAILED: Final = N_("Nothing was imported. {count} problem(s):")
IMPORT_DB_FAILED: Final = N_(
    "Nothing was imported: the database refused the write (is its disk full?). "
    "Every claim stored before is intact."
)
IMPORT_MORE_ERRORS: Final = N_("… and {count} more")
IMPORT_DONE: Final = N_("Imported: {added} added, {updated} updated, {unchanged} unchanged.")
ADDED: Final = N_("Stored as #{id}:")
EDITED: Final = N_("Updated #{id}:")
RETRACTED: Final = N_("Retracted #{id}. It stays in history and is no longer given as an answer.")
NOT_STORED: Final = N_("Nothing was stored.")
NO_SUCH_CLAIM: Final = N_("There is no claim #{id}.")
CLAIMS_PAGE: Final = N_("Claims {first}–{last} of {total} (page {page} of {pages}):")
NO_CLAIMS: Final = N_("There are no claims on that page.")
HISTORY_HEADER: Final = N_("History:")
HISTORY_ACTIONS: Final = {  # the audit record's action, as /claim and /history name it
    "add": N_("add"),
    "edit": N_("edit"),
    "retract": N_("retract"),
    "import": N_("import"),
    "seed": N_("seed"),
}
KEY_LABEL: Final = N_("Key")
EXPORT_CAPTION: Final = N_("{count} claims, including retracted ones.")

# --- the review queue -------------------------------------------------------------------------
MAX_EVIDENCE_SHOWN: Final = 600  # characters of a draft's source sentence shown for review
MAX_SUGGESTION_CHARS: Final = 20_000  # a pasted suggestion; longer texts should be a link
COMMAND_SUGGEST: Final = N_("Suggest an article or a figure for the curators")
DRAFT_USAGE: Final = N_(
    "Send /draft with an article's text or a link, or reply /draft to a message or to a .txt "
    "or .html file. I propose the claims in it; nothing is stored until an admin approves."
)
DRAFT_NONE: Final = N_("I found no casualty figures in it, so nothing was drafted.")
DRAFT_QUEUED: Final = N_("{count} drafts from “{title}”. Review them one by one:")
PASTED_TEXT: Final = N_("the pasted text")
DRAFT_FETCH_FAILED: Final = N_("I could not read that link: {reason}.")
DRAFT_FILE_TYPE: Final = N_("I can draft from .txt and .html files only.")
DRAFT_FILE_TOO_BIG: Final = N_("That file is larger than {limit} kB.")
DRAFT_HEADER: Final = N_("Draft #{id}, as it would be stored:")
DRAFT_EVIDENCE: Final = N_("From the text")
DRAFT_INVALID: Final = N_("Needs a correction before it can be approved: {error}")
DRAFT_APPROVALS: Final = N_("Approvals: {count} of {required}")
DRAFT_SUGGESTED: Final = N_("Suggested by a reader.")
BUTTON_APPROVE: Final = N_("Approve")
BUTTON_EDIT: Final = N_("Edit")
BUTTON_SKIP: Final = N_("Skip")
BUTTON_REVIEW: Final = N_("Review")
DRAFT_STORED: Final = N_("Approved: stored as claim #{id}.")
DRAFT_WAITING: Final = N_("Your approval is counted; {needed} more admin approval(s) needed.")
DRAFT_SKIPPED: Final = N_("Skipped: draft #{id} will not be stored.")
DRAFT_EDIT_HOW: Final = N_(
    "Correct a field with /editdraft {id} field=value, for example /editdraft {id} "
    "date=2024-05. Fields: {fields}."
)
DRAFT_BATCH_DONE: Final = N_("No more drafts from this article are waiting.")
DRAFTS_EMPTY: Final = N_("No drafts are waiting for review.")
DRAFTS_HEADER: Final = N_("{count} drafts are waiting for review:")
EDITDRAFT_USAGE: Final = N_(
    "Use /editdraft N field=value, for example /editdraft 3 date=2024-05. Fields: {fields}."
)
SUGGEST_USAGE: Final = N_(
    "Send /suggest with a link or the text of an article that gives casualty figures. The "
    "curators review every suggestion before anything is stored."
)
SUGGEST_THANKS: Final = N_(
    "Thank you: {count} possible claims from it are now with the curators for review."
)
SUGGEST_NONE: Final = N_("I found no casualty figures in it, so nothing was sent to the curators.")
SUGGEST_TOO_LONG: Final = N_("That is too long: send at most {limit} characters, or a link.")
SUGGEST_SLOW: Final = N_("You have sent several suggestions already; please try again later.")
SUGGESTION_FOR_ADMINS: Final = N_("New suggestion from {user}: {count} drafts from “{title}”.")

# --- following topics -------------------------------------------------------------------
COMMAND_FOLLOW: Final = N_("Get a message when the figures on a question change")
COMMAND_FOLLOWING: Final = N_("List the questions this chat follows")
COMMAND_UNFOLLOW: Final = N_("Stop following a question")
FOLLOW_USAGE: Final = N_(
    "Send /follow and a question, for example /follow {example}. I will write to this chat "
    "whenever a claim that answers it is added, revised or retracted."
)
FOLLOW_TOO_LONG: Final = N_("That question is too long to follow: at most {limit} characters.")
FOLLOW_STARTED: Final = N_("Following #{id}: “{topic}”.")
FOLLOW_ALREADY: Final = N_("This chat already follows this as #{id}: “{topic}”.")
FOLLOW_ANSWERED_NOW: Final = N_("What answers it now:")
FOLLOW_NOTHING_YET: Final = N_("No stored claim answers it yet; you will hear when one does.")
FOLLOW_HOW_TO_STOP: Final = N_(
    "To stop, send /unfollow {id}. /following lists everything this chat follows."
)
FOLLOW_LIMIT: Final = N_(
    "This chat already follows {limit} questions, the most it may. End one with /unfollow N "
    "first (/following lists them)."
)
FOLLOW_ADMINS_ONLY: Final = N_("In a group, only its admins may follow or unfollow questions.")
FOLLOW_CHECK_FAILED: Final = N_(
    "I could not check whether you are an admin of this group. Please try again later."
)
FOLLOWING_NONE: Final = N_("This chat follows nothing yet. Send /follow and a question to start.")
FOLLOWING_HEADER: Final = N_("This chat follows:")
FOLLOWING_PAUSED: Final = N_("paused: I could not write to this chat; follow it again to resume")
FOLLOWING_FOOTER: Final = N_("To stop one, send /unfollow and its number.")
UNFOLLOW_USAGE: Final = N_("Send /unfollow and a number from /following, for example /unfollow 3.")
UNFOLLOWED: Final = N_("Stopped following #{id}: “{topic}”.")
UNFOLLOW_UNKNOWN: Final = N_("This chat follows nothing as #{id}. /following lists what it does.")
BUTTON_FOLLOW: Final = N_("🔔 Follow this")
FOLLOW_QUESTION_GONE: Final = N_(
    "I can no longer see that question. Send /follow and the question instead."
)
FOLLOW_BUTTON_DONE: Final = N_("Following as #{id}. /following lists what this chat follows.")
NOTIFY_NEW: Final = N_("New estimate on “{topic}”:")
NOTIFY_REVISED: Final = N_("Revised from {before} to {after}, on “{topic}”:")
NOTIFY_CORRECTED: Final = N_("Corrected ({fields}), on “{topic}”:")
NOTIFY_RETRACTED: Final = N_("Retracted: {reason}. On “{topic}”:")
NOTIFY_PREVIOUS: Final = N_("{claimant}’s previous figure on this: {figure} ({date}, #{id}).")
NOTIFY_FOOTER: Final = N_("You follow this as #{id}; /unfollow {id} to stop.")
