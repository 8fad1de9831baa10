"""The vocabulary files: what they define, and the clear refusals when one is wrong."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.builders import ROOT

from bot.vocabulary import DIRECTORY, VOCABULARY, VocabularyError, load


def vocabulary_copy(tmp_path: Path) -> Path:
    directory = tmp_path / "vocabulary"
    directory.mkdir()
    for source in DIRECTORY.glob("*.toml"):
        shutil.copy(source, directory)
    return directory


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def refusal(directory: Path) -> str:
    with pytest.raises(VocabularyError) as refused:
        load(directory)
    return str(refused.value)


def test_a_casualties_question_is_answered_by_claims_of_every_measure() -> None:
    families = VOCABULARY.measure_families()
    assert families["casualties"] == set(VOCABULARY.measures)
    assert families["killed"] == {"killed"}
    assert "killed or wounded" not in families  # no question word names it


def test_every_place_lies_in_its_parent() -> None:
    assert VOCABULARY.places["bakhmut"].parent == "donetsk"
    assert VOCABULARY.places["donetsk"].parent == "ukraine"
    assert VOCABULARY.places["ukraine"].parent is None


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    (directory / "places.toml").unlink()
    assert refusal(directory) == f"{directory / 'places.toml'}: the file is missing"


def test_a_file_that_is_not_toml_is_named_with_its_line(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(directory / "measures.toml", "[measure.wounded]", "[measure.wounded")
    message = refusal(directory)
    assert message.startswith(f"{directory / 'measures.toml'}: not valid TOML:")
    assert "line" in message


def test_an_unknown_parent_place_names_the_place_and_the_parent(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(
        directory / "places.toml",
        '[place.bakhmut]\nparent = "donetsk"',
        '[place.bakhmut]\nparent = "donetskk"',
    )
    assert refusal(directory) == (
        f'{directory / "places.toml"}: place "bakhmut": parent "donetskk" is not a place'
    )


def test_places_whose_parents_loop_are_refused(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(directory / "places.toml", "[place.ukraine]\n", '[place.ukraine]\nparent = "bakhmut"\n')
    assert refusal(directory).endswith(
        'place "ukraine": its parents loop: ukraine -> bakhmut -> donetsk -> ukraine'
    )


def test_a_duplicate_id_is_refused(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    with (directory / "places.toml").open("a", encoding="utf-8") as places:
        places.write('\n[place.bakhmut]\nen = ["bakhmut town"]\n')
    message = refusal(directory)
    assert message.startswith(f"{directory / 'places.toml'}: not valid TOML:")
    assert "bakhmut" in message


def test_a_phrase_that_names_two_concepts_is_refused(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(directory / "places.toml", 'en = ["kharkiv", "kharkov"]', 'en = ["kharkiv", "kiev"]')
    assert refusal(directory) == (
        f'{directory / "places.toml"}: place "kyiv": "kiev" is also a word of place "kharkiv"'
    )


def test_a_word_listed_twice_is_refused(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(directory / "measures.toml", 'en = ["missing", "mia"]', 'en = ["missing", "missing"]')
    assert refusal(directory) == (
        f'{directory / "measures.toml"}: measure "missing": "en" lists "missing" twice'
    )


def test_a_measure_family_that_names_an_unknown_measure_is_refused(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(directory / "measures.toml", 'answered_by = ["killed", ', 'answered_by = ["kiled", ')
    assert refusal(directory) == (
        f'{directory / "measures.toml"}: measure "casualties": '
        'answered_by names "kiled", which is not a measure'
    )


@pytest.mark.parametrize("colour", ["#D55E0", "D55E00", "#D55E0G", "orange"])
def test_a_colour_that_is_not_rrggbb_is_refused(tmp_path: Path, colour: str) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(directory / "claimant_types.toml", '"#CC79A7"', f'"{colour}"')
    assert refusal(directory) == (
        f'{directory / "claimant_types.toml"}: claimant_type "media": '
        f'colour "{colour}" is not #rrggbb'
    )


def test_a_misspelt_field_is_refused_rather_than_ignored(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(directory / "places.toml", '[place.bakhmut]\nparent = "', '[place.bakhmut]\nparnet = "')
    assert refusal(directory) == (
        f'{directory / "places.toml"}: place "bakhmut": unknown field "parnet"'
    )


def test_a_side_whose_source_is_no_claimant_is_refused(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(directory / "sides.toml", 'source = "uk-mod"', 'source = "uk-mdo"')
    assert refusal(directory) == (
        f'{directory / "sides.toml"}: side "british": '
        'source "uk-mdo" is not a claimant in claimants.toml'
    )


def test_a_list_of_words_that_is_not_strings_is_refused(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(directory / "words.toml", 'en = ["many"]', "en = [1]")
    assert refusal(directory) == (
        f'{directory / "words.toml"}: [count_words]: "en" must be a list of non-empty strings'
    )


_NEW_MEASURE = """
[measure.frostbitten]
label = "frostbitten"
en = ["frostbitten", "frostbite"]
"""
_CHECK_NEW_MEASURE = """
import json
from bot.constants import MEASURE_LABELS
from bot.lexicon import MATCHER
from bot.parsing import parse_what
from bot.text import tokenize
from bot.vocabulary import VOCABULARY
from store import validate_claim
from store.models import MEASURES

claim = validate_claim({
    "key": "frostbite-test", "figure": 120, "measure": "frostbitten", "who": "Russian troops",
    "claimant": "A test claimant", "date": "2024-01", "caveats": ["A test caveat."],
})
hits = MATCHER.find(tokenize("How many Russian soldiers got frostbite?"))
print(json.dumps({
    "stored": claim.measure,
    "listed": "frostbitten" in MEASURES,
    "label": MEASURE_LABELS["frostbitten"],
    "question": [hit.concept.id for hit in hits if hit.concept.kind == "measure"],
    "what": parse_what("Russian troops frostbitten near Kupiansk"),
    "family": sorted(VOCABULARY.measure_families()["frostbitten"]),
}))
"""


def test_a_new_measure_needs_only_its_vocabulary_entry(tmp_path: Path) -> None:
    # A copy of the code with one entry added to its measures file, and nothing else changed.
    for package in ("bot", "store"):
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    with (tmp_path / "bot" / "vocabulary" / "measures.toml").open("a", encoding="utf-8") as file:
        file.write(_NEW_MEASURE)
    done = subprocess.run(
        [sys.executable, "-c", _CHECK_NEW_MEASURE],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "stored": "frostbitten",
        "listed": True,
        "label": "frostbitten",
        "question": ["frostbitten"],
        "what": {"measure": "frostbitten", "where": "Kupiansk", "who": "Russian troops"},
        "family": ["frostbitten"],
    }


def test_the_store_loads_the_vocabulary_without_the_matcher_numpy_or_telegram() -> None:
    check = (
        "import sys, store, store.models\n"
        "heavy = ('telegram', 'numpy', 'pymorphy3', 'Stemmer', 'rapidfuzz', 'matplotlib')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m == 'bot.lexicon'))"
    )
    done = subprocess.run(
        [sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_subject_within_an_unknown_subject_is_refused(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(directory / "subjects.toml", 'within = "civilians"', 'within = "civilans"')
    assert refusal(directory) == (
        f'{directory / "subjects.toml"}: subject "children": within "civilans" is not a subject'
    )


def test_a_side_whose_home_is_no_place_is_refused(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(directory / "sides.toml", 'home = "israel"', 'home = "isreal"')
    assert refusal(directory) == (
        f'{directory / "sides.toml"}: side "israeli": home "isreal" is not a place in places.toml'
    )


def test_a_flag_that_is_not_true_or_false_is_refused(tmp_path: Path) -> None:
    directory = vocabulary_copy(tmp_path)
    edit(directory / "claimants.toml", "self_reported = true", 'self_reported = "yes"')
    assert refusal(directory) == (
        f'{directory / "claimants.toml"}: claimant "official": '
        '"self_reported" must be true or false'
    )
