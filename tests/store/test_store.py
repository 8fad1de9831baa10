"""Store behaviours, on SQLite and PostgreSQL alike (the ``engine`` fixture runs both)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from helpers.builders import claim_dict, document, seed_document
from sqlalchemy import text
from sqlalchemy.engine import Engine

from store import (
    ClaimNotFoundError,
    ClaimPublic,
    ClaimValidationError,
    DuplicateKeyError,
    StoreError,
    add_claim,
    claim_history,
    count_claims,
    create_db_engine,
    edit_claim,
    export_claims,
    get_claim,
    import_claims,
    list_claims,
    retract_claim,
    seed_claims,
    store_revision,
    validate_claim,
    validate_document,
)
from store.claims import BACKUP_CLAIM_FIELDS


def add(engine: Engine, **overrides: Any) -> ClaimPublic:
    return add_claim(engine=engine, claim=validate_claim(claim_dict(**overrides)), actor="cli")


def import_errors(engine: Engine, doc: Any) -> list[str]:
    """The error lines an import of ``doc`` is refused with."""
    with pytest.raises(ClaimValidationError) as caught:
        import_claims(engine=engine, document=doc, actor="cli")
    return [str(error) for error in caught.value.errors]


# --- add, get, list, count ------------------------------------------------------------


def test_an_added_claim_can_be_fetched_by_id_and_by_key(engine: Engine) -> None:
    added = add(engine, key="kp-leak", figure=[80_000, 100_000], date="2022-03-02")

    by_id = get_claim(engine=engine, claim_id=added.id)
    by_key = get_claim(engine=engine, key="kp-leak")

    assert by_id == by_key == added
    assert added.figure == [80_000, 100_000]
    assert added.date == "2022-03-02"
    assert added.status == "active"


def test_a_missing_claim_is_none_by_id_and_by_key(engine: Engine) -> None:
    assert get_claim(engine=engine, claim_id=12345) is None
    assert get_claim(engine=engine, key="no-such-claim") is None


def test_adding_a_key_twice_is_refused(engine: Engine) -> None:
    add(engine, key="kp-leak")

    with pytest.raises(DuplicateKeyError, match="kp-leak"):
        add(engine, key="kp-leak", figure=1)
    assert count_claims(engine=engine) == 1


def test_listing_leaves_out_retracted_claims_unless_asked(engine: Engine) -> None:
    first = add(engine, key="first")
    second = add(engine, key="second")
    third = add(engine, key="third")
    retract_claim(engine=engine, claim_id=second.id, reason="Misread source.", actor="42")

    assert [c.key for c in list_claims(engine=engine)] == ["first", "third"]
    everything = list_claims(engine=engine, include_retracted=True)
    assert [c.id for c in everything] == [first.id, second.id, third.id]


def test_listing_pages_through_claims_in_id_order(engine: Engine) -> None:
    for number in range(5):
        add(engine, key=f"claim-{number}")

    page = list_claims(engine=engine, offset=1, limit=2)

    assert [c.key for c in page] == ["claim-1", "claim-2"]


def test_count_includes_retracted_claims_unless_told_not_to(engine: Engine) -> None:
    assert count_claims(engine=engine) == 0
    add(engine, key="kept")
    gone = add(engine, key="gone")
    retract_claim(engine=engine, claim_id=gone.id, reason="Duplicate.", actor="42")

    assert count_claims(engine=engine) == 2
    assert count_claims(engine=engine, include_retracted=False) == 1


# --- import validation: everything or nothing ------------------------------------------


def test_import_with_one_bad_claim_stores_nothing(engine: Engine) -> None:
    doc = document(
        claim_dict(key="good-one"),
        claim_dict(key="kp-leak", figure="lots"),
        claim_dict(key="good-two"),
    )

    errors = import_errors(engine, doc)

    assert errors == ['claims[1] (key kp-leak): figure: "lots" is not a number']
    assert count_claims(engine=engine) == 0
    assert store_revision(engine=engine) == 0


def test_import_reports_every_error_not_just_the_first(engine: Engine) -> None:
    doc = document(
        claim_dict(key="bad-figure", figure="lots"),
        claim_dict(key="good"),
        claim_dict(key="bad-date-and-measure", date="May 2023", measure="eaten"),
    )

    errors = import_errors(engine, doc)

    assert len(errors) == 3
    assert errors[0].startswith("claims[0] (key bad-figure): figure:")
    assert any(e.startswith("claims[2] (key bad-date-and-measure): date:") for e in errors)
    assert any(e.startswith("claims[2] (key bad-date-and-measure): measure:") for e in errors)
    assert count_claims(engine=engine) == 0


def test_duplicate_keys_in_one_document_name_both_claims(engine: Engine) -> None:
    doc = document(claim_dict(key="same"), claim_dict(key="other"), claim_dict(key="same"))

    errors = import_errors(engine, doc)

    assert errors == ["claims[2] (key same): key: duplicate of claims[0]"]
    assert count_claims(engine=engine) == 0


@pytest.mark.parametrize(
    "doc",
    [
        [claim_dict()],
        {"claims": claim_dict()},
        {"claim": [claim_dict()]},
        "claims",
        None,
    ],
    ids=["bare-list", "claims-not-a-list", "wrong-top-key", "text", "null"],
)
def test_a_document_that_is_not_a_claims_list_is_refused(engine: Engine, doc: Any) -> None:
    errors = import_errors(engine, doc)

    assert errors == ['document: must be {"claims": [ ... ]}']


def test_a_claim_that_is_not_an_object_is_refused_by_index(engine: Engine) -> None:
    errors = import_errors(engine, document(claim_dict(), "not a claim"))  # type: ignore[arg-type]

    assert errors == ["claims[1]: claim: must be a JSON object"]


def test_an_unknown_field_is_refused_by_name(engine: Engine) -> None:
    errors = import_errors(engine, document(claim_dict(key="typo", claimnat="Someone")))

    assert errors == ["claims[0] (key typo): claimnat: is not a known field"]


def test_a_missing_required_field_is_refused_by_name(engine: Engine) -> None:
    raw = claim_dict(key="no-claimant")
    del raw["claimant"]

    errors = import_errors(engine, document(raw))

    assert errors == ["claims[0] (key no-claimant): claimant: is required"]


@pytest.mark.parametrize(
    ("figure", "message"),
    [
        (True, '"True" is not a number'),
        ("9861", '"9861" is not a number'),
        (12.5, '"12.5" is not a number'),
        (-1, "-1 is out of range"),
        ([5, 3], "range low 5 is above high 3"),
        ([5], "a range must be [low, high]"),
        ([1, 2, 3], "a range must be [low, high]"),
    ],
)
def test_a_figure_that_is_not_a_count_is_refused(engine: Engine, figure: Any, message: str) -> None:
    errors = import_errors(engine, document(claim_dict(key="bad", figure=figure)))

    assert errors == [f"claims[0] (key bad): figure: {message}"]


def test_a_range_with_equal_ends_is_stored_as_one_figure(engine: Engine) -> None:
    import_claims(engine=engine, document=document(claim_dict(figure=[500, 500])), actor="cli")

    assert export_claims(engine=engine)["claims"][0]["figure"] == 500


@pytest.mark.parametrize("date", ["2023", "2023-05", "2023-05-09", "2024-02-29"])
def test_a_date_keeps_the_precision_it_was_given(engine: Engine, date: str) -> None:
    import_claims(engine=engine, document=document(claim_dict(date=date)), actor="cli")

    assert get_claim(engine=engine, key="test-claim") is not None
    assert export_claims(engine=engine)["claims"][0]["date"] == date


def test_a_bare_year_number_is_accepted_as_a_year(engine: Engine) -> None:
    import_claims(engine=engine, document=document(claim_dict(date=2023)), actor="cli")

    assert export_claims(engine=engine)["claims"][0]["date"] == "2023"


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2023-13", '"2023-13" has no such month'),
        ("2023-02-30", '"2023-02-30" has no such day'),
        ("2023-02-29", '"2023-02-29" has no such day'),
        ("May 2023", '"May 2023" is not YYYY, YYYY-MM or YYYY-MM-DD'),
        ("2023-5", '"2023-5" is not YYYY, YYYY-MM or YYYY-MM-DD'),
        ("02/05/2023", '"02/05/2023" is not YYYY, YYYY-MM or YYYY-MM-DD'),
        ("1066", '"1066" has an implausible year'),
    ],
)
def test_an_invalid_date_is_refused(engine: Engine, date: str, message: str) -> None:
    errors = import_errors(engine, document(claim_dict(key="bad", date=date)))

    assert errors == [f"claims[0] (key bad): date: {message}"]


def test_a_retracted_claim_without_a_reason_is_refused(engine: Engine) -> None:
    errors = import_errors(engine, document(claim_dict(key="gone", status="retracted")))

    assert errors == [
        "claims[0] (key gone): retraction_reason: a retracted claim needs a retraction_reason"
    ]


def test_an_active_claim_with_a_retraction_reason_is_refused(engine: Engine) -> None:
    errors = import_errors(engine, document(claim_dict(key="odd", retraction_reason="Why?")))

    assert errors == [
        "claims[0] (key odd): retraction_reason: only a retracted claim carries a reason"
    ]


def test_a_key_that_is_not_a_slug_is_refused(engine: Engine) -> None:
    errors = import_errors(engine, document(claim_dict(key="KP Leak!")))

    assert errors == [
        'claims[0] (key KP Leak!): key: "KP Leak!" must be a lowercase slug like kp-leak-2022-03'
    ]


# --- re-import: update, not duplicate ---------------------------------------------------


def test_reimporting_a_key_updates_instead_of_duplicating(engine: Engine) -> None:
    import_claims(engine=engine, document=document(claim_dict(key="kp-leak")), actor="cli")
    changed = claim_dict(key="kp-leak", figure=9861, caveats=["Deleted after publication."])

    report = import_claims(engine=engine, document=document(changed), actor="42")

    assert (report.added, report.updated, report.unchanged) == ([], ["kp-leak"], [])
    assert count_claims(engine=engine) == 1
    stored = get_claim(engine=engine, key="kp-leak")
    assert stored is not None
    assert stored.figure == 9861
    assert stored.caveats == ["Deleted after publication."]
    last = claim_history(engine=engine, claim_id=stored.id)[-1]
    assert (last.actor, last.action) == ("42", "import")
    assert last.changes == {
        "figure_low": [1234, 9861],
        "caveats": [["A test caveat."], ["Deleted after publication."]],
    }


def test_reimporting_identical_data_reports_it_unchanged_and_writes_no_history(
    engine: Engine,
) -> None:
    doc = document(claim_dict(key="one"), claim_dict(key="two", figure=[1, 2]))
    import_claims(engine=engine, document=doc, actor="cli")
    one = get_claim(engine=engine, key="one")
    assert one is not None
    history_before = claim_history(engine=engine, claim_id=one.id)
    revision_before = store_revision(engine=engine)

    report = import_claims(engine=engine, document=doc, actor="cli")

    assert report.summary() == "0 added, 0 updated, 2 unchanged"
    assert claim_history(engine=engine, claim_id=one.id) == history_before
    assert store_revision(engine=engine) == revision_before
    assert get_claim(engine=engine, key="one") == one


def test_import_reports_added_updated_and_unchanged_keys(engine: Engine) -> None:
    import_claims(
        engine=engine,
        document=document(claim_dict(key="same"), claim_dict(key="changes")),
        actor="cli",
    )

    report = import_claims(
        engine=engine,
        document=document(
            claim_dict(key="same"), claim_dict(key="changes", figure=5), claim_dict(key="new")
        ),
        actor="cli",
    )

    assert report.added == ["new"]
    assert report.updated == ["changes"]
    assert report.unchanged == ["same"]
    assert report.summary() == "1 added, 1 updated, 1 unchanged"


def test_importing_a_retracted_version_retracts_the_stored_claim(engine: Engine) -> None:
    import_claims(engine=engine, document=document(claim_dict(key="doubtful")), actor="cli")
    retracted = claim_dict(key="doubtful", status="retracted", retraction_reason="Fabricated.")

    import_claims(engine=engine, document=document(retracted), actor="cli")

    assert list_claims(engine=engine) == []
    stored = get_claim(engine=engine, key="doubtful")
    assert stored is not None
    assert (stored.status, stored.retraction_reason) == ("retracted", "Fabricated.")


# --- seeding ------------------------------------------------------------------------------


def test_seeding_twice_adds_each_seed_claim_once(engine: Engine) -> None:
    first = seed_claims(engine=engine, document=seed_document())
    revision = store_revision(engine=engine)

    second = seed_claims(engine=engine, document=seed_document())

    total = len(seed_document()["claims"])
    assert len(first.added) == total
    assert (second.added, second.updated, len(second.unchanged)) == ([], [], total)
    assert count_claims(engine=engine) == total
    assert store_revision(engine=engine) == revision


def test_seeding_never_overwrites_an_admin_edit(engine: Engine) -> None:
    seed_claims(engine=engine, document=document(claim_dict(key="seeded", figure=100)))
    stored = get_claim(engine=engine, key="seeded")
    assert stored is not None
    edit_claim(engine=engine, claim_id=stored.id, changes={"where": "Kyiv"}, actor="42")

    report = seed_claims(
        engine=engine, document=document(claim_dict(key="seeded", figure=200, where="Kharkiv"))
    )

    assert report.unchanged == ["seeded"]
    after = get_claim(engine=engine, key="seeded")
    assert after is not None
    assert (after.figure, after.where, after.updated_by) == (100, "Kyiv", "42")


def test_seeding_never_reinstates_a_claim_an_admin_retracted(engine: Engine) -> None:
    seed_claims(engine=engine, document=document(claim_dict(key="seeded")))
    stored = get_claim(engine=engine, key="seeded")
    assert stored is not None
    retract_claim(engine=engine, claim_id=stored.id, reason="Wrong figure.", actor="42")

    seed_claims(engine=engine, document=document(claim_dict(key="seeded", figure=5)))

    after = get_claim(engine=engine, key="seeded")
    assert after is not None
    assert (after.status, after.figure) == ("retracted", 1234)


def test_seeding_never_overwrites_an_admin_import(engine: Engine) -> None:
    seed_claims(engine=engine, document=document(claim_dict(key="seeded", figure=100)))
    import_claims(
        engine=engine, document=document(claim_dict(key="seeded", figure=150)), actor="cli"
    )

    seed_claims(engine=engine, document=document(claim_dict(key="seeded", figure=200)))

    after = get_claim(engine=engine, key="seeded")
    assert after is not None
    assert after.figure == 150


def test_seeding_refreshes_a_claim_only_the_seed_has_touched(engine: Engine) -> None:
    seed_claims(engine=engine, document=document(claim_dict(key="seeded", figure=100)))

    report = seed_claims(engine=engine, document=document(claim_dict(key="seeded", figure=200)))

    assert report.updated == ["seeded"]
    after = get_claim(engine=engine, key="seeded")
    assert after is not None
    assert (after.figure, after.updated_by) == (200, "seed")
    last = claim_history(engine=engine, claim_id=after.id)[-1]
    assert (last.actor, last.action, last.changes) == ("seed", "seed", {"figure_low": [100, 200]})


def test_a_bad_seed_file_stores_nothing(engine: Engine) -> None:
    doc = document(claim_dict(key="fine"), claim_dict(key="broken", date="2023-13"))

    with pytest.raises(ClaimValidationError, match=r"claims\[1\] \(key broken\): date:"):
        seed_claims(engine=engine, document=doc)
    assert count_claims(engine=engine) == 0


# --- edit -----------------------------------------------------------------------------------


def test_editing_changes_only_the_named_fields(engine: Engine) -> None:
    claim = add(engine, key="kp-leak", where="Ukraine", period="2022")

    edited = edit_claim(
        engine=engine,
        claim_id=claim.id,
        changes={"figure": [9000, 10000], "qualifier": "about", "period": None},
        actor="42",
    )

    assert edited.figure == [9000, 10000]
    assert edited.qualifier == "about"
    assert edited.period is None
    assert edited.where == "Ukraine"
    assert edited.updated_by == "42"
    assert get_claim(engine=engine, claim_id=claim.id) == edited


def test_an_edit_that_makes_the_claim_invalid_changes_nothing(engine: Engine) -> None:
    claim = add(engine, key="kp-leak", date="2022-03")
    revision = store_revision(engine=engine)

    with pytest.raises(ClaimValidationError) as caught:
        edit_claim(
            engine=engine,
            claim_id=claim.id,
            changes={"date": "2022-02-30", "where": "Kyiv"},
            actor="42",
        )

    assert [error.field for error in caught.value.errors] == ["date"]
    assert get_claim(engine=engine, claim_id=claim.id) == claim
    assert store_revision(engine=engine) == revision
    assert len(claim_history(engine=engine, claim_id=claim.id)) == 1


def test_retracting_by_edit_needs_a_reason(engine: Engine) -> None:
    claim = add(engine, key="kp-leak")

    with pytest.raises(ClaimValidationError) as caught:
        edit_claim(engine=engine, claim_id=claim.id, changes={"status": "retracted"}, actor="42")

    assert [error.field for error in caught.value.errors] == ["retraction_reason"]
    assert get_claim(engine=engine, claim_id=claim.id) == claim


@pytest.mark.parametrize("field", ["key", "id", "created_at", "updated_by", "figure_low", "bogus"])
def test_a_field_that_is_not_editable_cannot_be_edited(engine: Engine, field: str) -> None:
    claim = add(engine, key="kp-leak")

    with pytest.raises(ClaimValidationError) as caught:
        edit_claim(engine=engine, claim_id=claim.id, changes={field: "x"}, actor="42")

    assert [str(error) for error in caught.value.errors] == [f"{field}: cannot be edited"]
    assert get_claim(engine=engine, claim_id=claim.id) == claim


def test_editing_a_missing_claim_says_it_does_not_exist(engine: Engine) -> None:
    with pytest.raises(ClaimNotFoundError, match=r"There is no claim #404\."):
        edit_claim(engine=engine, claim_id=404, changes={"where": "Kyiv"}, actor="42")


def test_an_edit_to_the_same_values_writes_no_history(engine: Engine) -> None:
    claim = add(engine, key="kp-leak", where="Ukraine")
    revision = store_revision(engine=engine)

    edited = edit_claim(engine=engine, claim_id=claim.id, changes={"where": "Ukraine"}, actor="42")

    assert edited == claim
    assert store_revision(engine=engine) == revision
    assert len(claim_history(engine=engine, claim_id=claim.id)) == 1


def test_reactivating_a_retracted_claim_clears_its_reason(engine: Engine) -> None:
    claim = add(engine, key="kp-leak")
    retract_claim(engine=engine, claim_id=claim.id, reason="Oops.", actor="42")

    edited = edit_claim(engine=engine, claim_id=claim.id, changes={"status": "active"}, actor="42")

    assert (edited.status, edited.retraction_reason) == ("active", None)
    assert [c.key for c in list_claims(engine=engine)] == ["kp-leak"]


def test_setting_a_retraction_reason_on_an_active_claim_is_refused(engine: Engine) -> None:
    claim = add(engine, key="kp-leak")

    with pytest.raises(ClaimValidationError):
        edit_claim(
            engine=engine, claim_id=claim.id, changes={"retraction_reason": "Why?"}, actor="42"
        )


# --- retract ------------------------------------------------------------------------------


def test_a_retracted_claim_is_kept_with_its_reason_but_no_longer_listed(engine: Engine) -> None:
    claim = add(engine, key="kp-leak")

    retracted = retract_claim(
        engine=engine, claim_id=claim.id, reason="  Source   deleted it. ", actor="42"
    )

    assert (retracted.status, retracted.retraction_reason) == ("retracted", "Source deleted it.")
    assert not retracted.is_active
    assert get_claim(engine=engine, claim_id=claim.id) == retracted
    assert get_claim(engine=engine, key="kp-leak") == retracted
    assert list_claims(engine=engine) == []
    assert count_claims(engine=engine) == 1


def test_retracting_twice_is_refused(engine: Engine) -> None:
    claim = add(engine, key="kp-leak")
    first = retract_claim(engine=engine, claim_id=claim.id, reason="First reason.", actor="42")

    with pytest.raises(StoreError, match="already retracted"):
        retract_claim(engine=engine, claim_id=claim.id, reason="Second reason.", actor="43")

    assert get_claim(engine=engine, claim_id=claim.id) == first


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_retracting_without_a_reason_is_refused(engine: Engine, reason: str) -> None:
    claim = add(engine, key="kp-leak")

    with pytest.raises(ClaimValidationError) as caught:
        retract_claim(engine=engine, claim_id=claim.id, reason=reason, actor="42")

    assert [error.field for error in caught.value.errors] == ["reason"]
    assert get_claim(engine=engine, claim_id=claim.id) == claim


def test_retracting_a_missing_claim_says_it_does_not_exist(engine: Engine) -> None:
    with pytest.raises(ClaimNotFoundError, match="#7"):
        retract_claim(engine=engine, claim_id=7, reason="Gone.", actor="42")


# --- audit trail and revision -------------------------------------------------------------


def as_utc(moment: datetime) -> datetime:
    # SQLite hands timestamps back without their zone; they were written in UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_every_change_is_recorded_with_actor_action_time_and_values(engine: Engine) -> None:
    started = datetime.now(UTC)
    claim = add(engine, key="kp-leak", figure=9861)
    edit_claim(engine=engine, claim_id=claim.id, changes={"figure": 9000}, actor="42")
    retract_claim(engine=engine, claim_id=claim.id, reason="Unverified.", actor="43")
    finished = datetime.now(UTC)

    history = claim_history(engine=engine, claim_id=claim.id)

    assert [(r.actor, r.action) for r in history] == [
        ("cli", "add"),
        ("42", "edit"),
        ("43", "retract"),
    ]
    assert all(r.claim_key == "kp-leak" for r in history)
    assert all(started <= as_utc(r.at) <= finished for r in history)
    added, edited, retracted = (r.changes for r in history)
    assert added["figure_low"] == [None, 9861]
    assert added["key"] == [None, "kp-leak"]
    assert added["caveats"] == [None, ["A test caveat."]]
    assert edited == {"figure_low": [9861, 9000]}
    assert retracted == {
        "status": ["active", "retracted"],
        "retraction_reason": [None, "Unverified."],
    }


def test_an_import_records_each_new_claim_in_its_history(engine: Engine) -> None:
    import_claims(engine=engine, document=document(claim_dict(key="new")), actor="cli")
    stored = get_claim(engine=engine, key="new")
    assert stored is not None

    history = claim_history(engine=engine, claim_id=stored.id)

    assert [(r.actor, r.action) for r in history] == [("cli", "import")]
    assert history[0].changes["who"] == [None, "Russian troops"]


def test_a_claim_without_changes_has_no_history(engine: Engine) -> None:
    assert claim_history(engine=engine, claim_id=999) == []


def test_store_revision_goes_up_on_each_change_and_not_on_a_no_op(engine: Engine) -> None:
    revisions = [store_revision(engine=engine)]
    claim = add(engine, key="kp-leak")
    revisions.append(store_revision(engine=engine))
    edit_claim(engine=engine, claim_id=claim.id, changes={"figure": 1}, actor="42")
    revisions.append(store_revision(engine=engine))
    doc = document(claim_dict(key="a"), claim_dict(key="b"))
    import_claims(engine=engine, document=doc, actor="cli")
    revisions.append(store_revision(engine=engine))
    import_claims(engine=engine, document=doc, actor="cli")  # identical: a no-op
    revisions.append(store_revision(engine=engine))
    retract_claim(engine=engine, claim_id=claim.id, reason="Gone.", actor="42")
    revisions.append(store_revision(engine=engine))

    assert revisions[0] < revisions[1] < revisions[2] < revisions[3] == revisions[4] < revisions[5]


def test_a_refused_import_leaves_the_revision_alone(engine: Engine) -> None:
    add(engine, key="kp-leak")
    revision = store_revision(engine=engine)

    import_errors(engine, document(claim_dict(key="new"), claim_dict(key="bad", figure=True)))

    assert store_revision(engine=engine) == revision


# --- export -------------------------------------------------------------------------------


def test_export_then_import_into_a_fresh_database_reproduces_every_claim(
    engine: Engine, tmp_path: Path
) -> None:
    seed_claims(engine=engine, document=seed_document())
    import_claims(
        engine=engine,
        document=document(
            claim_dict(key="day-precision", date="2022-03-02", figure=[10, 20], per="day"),
            claim_dict(key="year-precision", date="2022", qualifier="about", url="https://x.org"),
        ),
        actor="cli",
    )
    victim = get_claim(engine=engine, key="day-precision")
    assert victim is not None
    retract_claim(engine=engine, claim_id=victim.id, reason="Misquoted.", actor="42")
    exported = export_claims(engine=engine)
    copy = create_db_engine(f"sqlite:///{tmp_path / 'copy.db'}")
    try:
        report = import_claims(engine=copy, document=exported, actor="cli")

        assert len(report.added) == count_claims(engine=engine)
        assert export_claims(engine=copy)["claims"] == exported["claims"]
        originals = list_claims(engine=engine, include_retracted=True)
        copies = list_claims(engine=copy, include_retracted=True)
        assert [c.to_contract() for c in copies] == [c.to_contract() for c in originals]
        retracted = get_claim(engine=copy, key="day-precision")
        assert retracted is not None
        assert (retracted.status, retracted.retraction_reason) == ("retracted", "Misquoted.")
        assert retracted.date == "2022-03-02"
    finally:
        copy.dispose()


def test_export_leaves_out_empty_optional_fields(engine: Engine) -> None:
    add(engine, key="plain", where=None, caveats=[])

    (exported,) = export_claims(engine=engine)["claims"]

    assert {k: v for k, v in exported.items() if k not in BACKUP_CLAIM_FIELDS} == {
        "key": "plain",
        "figure": 1234,
        "measure": "killed",
        "who": "Russian troops",
        "claimant": "Test claimant",
        "date": "2024-05",
    }


# --- the seed file ------------------------------------------------------------------------


def test_the_seed_file_is_valid_and_every_claim_has_a_caveat() -> None:
    claims = validate_document(seed_document())

    assert 15 <= len(claims) <= 20
    keys = [claim.key for claim in claims]
    assert len(set(keys)) == len(keys)
    assert [claim.key for claim in claims if not claim.caveats] == []


def test_the_seed_file_loads_into_the_database(engine: Engine) -> None:
    report = seed_claims(engine=engine, document=seed_document())

    keys = [claim["key"] for claim in seed_document()["claims"]]
    assert report.added == keys
    assert [claim.key for claim in list_claims(engine=engine)] == keys


# --- the database itself ------------------------------------------------------------------


def test_sqlite_lets_questions_read_while_an_admin_writes(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("journal mode is a SQLite setting")
    with engine.connect() as connection:
        mode = connection.execute(text("PRAGMA journal_mode")).scalar()

    assert mode == "wal"
