"""The claim extractor: an article's text becomes draft claims for a person to review.

Pure domain code, no Telegram and no database. The stages, in the order an article meets them:

- ``reading``: text or HTML becomes an ``Article`` (text, title, date, author, publisher);
- ``sentences`` and ``tokens``: paragraphs, sentences, quotations, tokens with their places;
- ``figures``: the numbers that may be casualty figures, with ranges and qualifiers;
- ``meaning``: the measure word that governs each figure, whose losses, whom, where, when;
- ``sources`` and ``names``: who makes each claim ("according to X", "X said", "за даними
  X") and the name a claim gives them;
- ``dates`` and ``caveats``: a draft's date and what the text says about the figure;
- ``drafting``: the article read sentence by sentence into ``Draft`` claims.

``phrases`` and ``words`` hold the word lists; ``model`` the ``Article`` and ``Draft``.

Word lists are data: ``words.toml`` here, and the vocabulary's (``bot/vocabulary``).
"""

from bot.extract.drafting import draft_claims
from bot.extract.model import Article, Draft
from bot.extract.reading import read_article

__all__ = ["Article", "Draft", "draft_claims", "read_article"]
