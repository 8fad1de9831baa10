"""Turn a question into ranked claims: constraints first, fuzzy similarity second.

Pure domain code, no Telegram imports. The stages, in the order a question meets them:

- ``bot.text``: normalise, tokenize, stems and lemmas, transliteration keys, numbers, years;
- ``reader``: tokens become ``Facets`` (side, place, measure, claimant, year, rate...), one
  small rule per reading;
- ``claim_words`` and ``columns``: what the index knows about every claim (building only);
- ``ranker``: eligibility (a claim must fit every facet named), then points from
  ``Weights`` and rapidfuzz similarity;
- ``result``: the ``SearchResult`` every caller renders, with a ``Reason`` when no claim
  answers;
- ``index``: ``ClaimIndex`` ties them together, and caches claims per store revision.
"""

from bot.domain import counts_same_thing
from bot.search.index import ClaimIndex, Fetch
from bot.search.ranker import RERANK, WEIGHTS, Weights
from bot.search.reader import Speller, read_question
from bot.search.result import Facets, Match, Reason, SearchResult, UncachedError

__all__ = [
    "RERANK",
    "WEIGHTS",
    "ClaimIndex",
    "Facets",
    "Fetch",
    "Match",
    "Reason",
    "SearchResult",
    "Speller",
    "UncachedError",
    "Weights",
    "counts_same_thing",
    "read_question",
]
