"""Every user-facing text and tunable number in one place (units in the comments).

Texts are plain text with ``{placeholders}``; the renderer escapes what goes into them, and
texts meant for Telegram use only the HTML tags Telegram accepts.
"""

from __future__ import annotations

from typing import Final

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

# --- labels -----------------------------------------------------------------------------
SOURCE_LABEL: Final = "Claimed by"
VIA_LABEL: Final = "via"
REPORTED_IN_LABEL: Final = "Reported in"
DATE_LABEL: Final = "Date"
CAVEATS_LABEL: Final = "Caveats"
NO_CAVEATS: Final = "No caveats recorded."
RETRACTED_LABEL: Final = "RETRACTED"
DISAGREE: Final = "Sources disagree: from {low} ({low_source}) to {high} ({high_source})."
MORE_MATCHES: Final = "{count} more stored claims match; ask more precisely to narrow it down."
MORE_SOURCES: Final = "{count} more sources"
MORE_SOURCES_ONE: Final = "1 more source"
PER_DAY: Final = "a day"
CASUALTIES_OF: Final = "casualties among {who}"

# --- no answer --------------------------------------------------------------------------
NO_CLAIM: Final = "No stored claim answers this question."
NO_ANSWER_REASONS: Final = {
    "side": "We hold no figure for {sides} losses.",
    "place": "We hold no figure for {places}.",
    "measure": "We hold no figure of that kind ({measures}) for it.",
    "claimant": "We hold no figure from that source on this.",
    "year": "We hold no figure for {years}.",
    "rate": "We hold no daily rate for that.",
    "equipment": "We hold figures for people only, not equipment.",
    "civilians": "We hold no figures for civilian deaths.",
    "mercenaries": "We hold no figures for mercenaries.",
    "population": "This bot answers questions about casualty figures only.",
    "troop strength": "This bot answers questions about casualty figures, not troop numbers.",
    "off topic": "This bot answers questions about casualty figures only.",
    "chit-chat": "Ask me about casualty figures.",
    "weak": "Nothing stored matches it closely enough.",
    "empty": "Please ask a question.",
}
SUGGESTIONS_HEADER: Final = "Related stored claims:"
EXAMPLE_QUESTIONS: Final = (
    "How many Russian soldiers died in Bakhmut?",
    "What did the Komsomolskaya Pravda leak say?",
    "Russian losses according to the UK MoD",
    "Russian casualties per day",
)
TRY_EXAMPLE: Final = "For example: {example}"

# --- bot texts --------------------------------------------------------------------------
HELP: Final = (
    "<b>Casualty figures, with their sources and caveats.</b>\n\n"
    "Ask how many soldiers were killed or wounded, and I answer with every stored figure "
    "that fits: who claimed it, who reported it, when, and what is wrong with it. "
    "Where sources disagree, you see them side by side. Where no stored claim answers, "
    "I say so.\n\n"
    "<b>Try:</b>\n{examples}\n\n"
    "<b>In groups:</b> /ask QUESTION, reply to one of my messages, or mention me.\n"
    "<b>Anywhere:</b> type @{bot} and a few words."
)
ADMIN_HELP: Final = (
    "<b>Admin commands</b>\n"
    "/addclaim FIGURE | WHAT | CLAIMANT | DATE | CAVEATS [| URL]\n"
    "/editclaim N field=value\n"
    "/retract N REASON\n"
    "/claim N, /claims [page], /export, /import (reply to a JSON file)"
)
ASK_USAGE: Final = "Ask a question after the command, for example:\n<code>/ask {example}</code>"
ADMINS_ONLY: Final = "This command is for admins only."
APOLOGY: Final = "Sorry, something went wrong while answering. Please try again in a moment."
BUTTON_EXPIRED: Final = "This button has expired. Please ask again."
CLAIM_GONE: Final = "That claim is no longer available."
INLINE_NO_CLAIM_TITLE: Final = "No stored claim"
INLINE_NO_CLAIM_DESCRIPTION: Final = "No stored claim answers “{query}”."
INLINE_NEWEST_HINT: Final = "Newest claims"
UNKNOWN_COMMAND: Final = "I don't know that command. Send /help to see what I can do."

ADDCLAIM_USAGE: Final = (
    "Format:\n<code>/addclaim FIGURE | WHAT | CLAIMANT | DATE | CAVEATS [| URL]</code>\n"
    "Example:\n<code>/addclaim 100,000 | Russian troops killed in Bakhmut, 2023 | "
    "Western intelligence | 2023-05 | assessment, not a count</code>\n"
    "FIGURE: 9861, 9,861, ~9000, &gt;100000, &lt;6000 or 80000-100000. "
    "DATE: YYYY, YYYY-MM or YYYY-MM-DD. Separate several caveats with “;”."
)
EDITCLAIM_USAGE: Final = (
    "Format: <code>/editclaim N field=value</code>, for example "
    "<code>/editclaim 3 caveats=deleted after publication; unverified</code>\n"
    "Fields: {fields}"
)
RETRACT_USAGE: Final = "Format: <code>/retract N REASON</code>"
CLAIM_USAGE: Final = "Format: <code>/claim N</code>"
IMPORT_USAGE: Final = "Send /import as a reply to a JSON document in the export format."
IMPORT_TOO_BIG: Final = "That file is too large to import (the limit is {limit} MB)."
IMPORT_BAD_JSON: Final = "That file is not valid JSON: {error}"
IMPORT_FAILED: Final = "Nothing was imported. {count} problem(s):"
IMPORT_DONE: Final = "Imported: {summary}."
ADDED: Final = "Stored as #{id}:"
EDITED: Final = "Updated #{id}:"
RETRACTED: Final = "Retracted #{id}. It stays in history and is no longer given as an answer."
NOT_STORED: Final = "Nothing was stored."
NO_SUCH_CLAIM: Final = "There is no claim #{id}."
CLAIMS_PAGE: Final = "Claims {first}–{last} of {total} (page {page} of {pages}):"
NO_CLAIMS: Final = "There are no claims on that page."
HISTORY_HEADER: Final = "History:"
EXPORT_CAPTION: Final = "{count} claims, including retracted ones."
