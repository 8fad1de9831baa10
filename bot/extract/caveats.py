"""Caveats a figure's sentence states: what the figure leaves out ("excluding mercenaries"),
who disputes it ("dismissed as implausible"), how it was made ("leaked", "estimate")."""

from __future__ import annotations

from bot.extract.meaning import KILLED_OR_WOUNDED, excluded_spans, subject_noun
from bot.extract.sentences import Sentence
from bot.extract.words import WORDS


def _left_out(sentence: Sentence, start: int, end: int) -> str | None:
    """What follows "excluding": in the vocabulary's English words where it names a subject
    or a measure ("найманців" -> "mercenaries"), else as written."""
    tokens = sentence.tokens
    if end == start:
        return None
    named = []
    for hit in sentence.hits:
        if start <= hit.start < end and hit.concept.kind in ("subject", "measure"):
            kind, concept = hit.concept.kind, hit.concept.id
            named.append(subject_noun(concept) if kind == "subject" else concept)
    if named:
        return " and ".join(dict.fromkeys(named))
    return sentence.text[tokens[start].start : tokens[end - 1].end]


def exclusions(sentence: Sentence) -> list[str]:
    """ "excluding mercenaries" -> "Excludes mercenaries."."""
    found = []
    for start, end in excluded_spans(sentence):
        left_out = _left_out(sentence, start, end)
        if left_out:
            found.append(f"Excludes {left_out}.")
    return found


def stated(sentence: Sentence) -> list[str]:
    """The caveats a sentence states, in the extractor's own words."""
    stems = sentence.stems
    found = exclusions(sentence)
    found += [caveat.text for caveat in WORDS.caveats if caveat.phrases.find(stems) is not None]
    return found


def of_measure(measure: str) -> list[str]:
    """What the measure itself leaves unsaid."""
    if measure == KILLED_OR_WOUNDED:
        return ["Killed and wounded together; the article does not split them."]
    return []
