"""The words the bot knows, as data: the TOML files next to this module, checked at start-up.

Each file holds one kind of concept (sides, places, measures, claimants...) with its words in
English, Ukrainian and Russian side by side; the enumerations a claim is checked against (its
measures and claimant types), their labels (message ids) and chart colours are read from them
too, so each is defined once. A mistake stops the start with a message that names the file
and the entry.

Standard library only: the store imports this for its measures and claimant types and must not
pull in the matcher's dictionaries, numpy or Telegram.
"""

from __future__ import annotations

from typing import Final

from bot.vocabulary.loader import DIRECTORY, load
from bot.vocabulary.model import (
    ClaimantType,
    Measure,
    Number,
    Place,
    Side,
    Term,
    Vocabulary,
    VocabularyError,
    Words,
)

__all__ = [
    "DIRECTORY",
    "VOCABULARY",
    "ClaimantType",
    "Measure",
    "Number",
    "Place",
    "Side",
    "Term",
    "Vocabulary",
    "VocabularyError",
    "Words",
    "load",
]

VOCABULARY: Final = load()
