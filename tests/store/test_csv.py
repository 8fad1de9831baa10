"""CSV import and export of claims, on SQLite and PostgreSQL (the ``engine`` fixture runs both)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from conftest import postgres_schema
from helpers.builders import claim_dict, document, seed_document
from sqlalchemy.engine import Engine

from store import (
    CSV_FIELDS,
    ClaimValidationError,
    CsvError,
    count_claims,
    create_db_engine,
    export_claims,
    export_csv,
    get_claim,
    import_claims,
    import_csv,
    read_csv,
)
from store.claims import BACKUP_CLAIM_FIELDS

HEADER = "key,figure,measure,who,claimant,date"


@contextmanager
def another_empty_database(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """A second empty database of the same kind as ``engine``."""
    if engine.dialect.name == "sqlite":
        other = create_db_engine(f"sqlite:///{tmp_path / 'other.db'}")
        yield other
        other.dispose()
        return
    with postgres_schema() as url:
        other = create_db_engine(url)
        yield other
        other.dispose()


def csv_errors(engine: Engine, data: bytes | str) -> list[str]:
    """The error lines a CSV import is refused with; the store must stay empty."""
    with pytest.raises(ClaimValidationError) as caught:
        import_csv(engine=engine, data=data, actor="cli")
    assert count_claims(engine=engine) == 0
    return [str(error) for error in caught.value.errors]


def contract_claims(engine: Engine) -> list[dict[str, Any]]:
    claims = export_claims(engine=engine, include_audit=False)["claims"]
    return [{k: v for k, v in c.items() if k not in BACKUP_CLAIM_FIELDS} for c in claims]


def cells(text: str) -> list[dict[str, str]]:
    """The data rows of a CSV export, by column."""
    return list(csv.DictReader(io.StringIO(text, newline="")))


TRICKY = document(
    claim_dict(
        key="tricky-texts",
        figure=[80000, 100000],
        who='Russian soldiers, "mobilised" and contract',
        caveats=["Excludes Wagner; counted separately.", r"A path C:\files\n, kept as is."],
        aliases=["a;b", "ends with a backslash \\", "утечка КП"],
    ),
    claim_dict(
        key="formula-like",
        who='=HYPERLINK("http://evil.example","click")',
        where="+380 region",
        period="'=already quoted",
        claimant="@everyone",
        caveats=["-5% against last month.", "Second item =fine."],
    ),
    claim_dict(key="withdrawn", status="retracted", retraction_reason="The claimant withdrew it."),
)


# --- round trips ----------------------------------------------------------------------------


def test_a_csv_export_imported_into_an_empty_database_exports_identically(
    engine: Engine, tmp_path: Path
) -> None:
    import_claims(engine=engine, document=seed_document(), actor="cli")
    import_claims(engine=engine, document=TRICKY, actor="cli")
    first = export_csv(engine=engine)

    with another_empty_database(engine, tmp_path) as other:
        report = import_csv(engine=other, data=first, actor="cli")
        assert len(report.added) == 17 + 3
        assert export_csv(engine=other) == first
        assert contract_claims(other) == contract_claims(engine)


def test_importing_the_same_csv_again_changes_nothing(engine: Engine) -> None:
    import_claims(engine=engine, document=TRICKY, actor="cli")
    report = import_csv(engine=engine, data=export_csv(engine=engine), actor="cli")
    assert (report.added, report.updated) == ([], [])
    assert len(report.unchanged) == 3


def test_a_semicolon_or_backslash_inside_a_list_item_survives_a_round_trip(
    engine: Engine, tmp_path: Path
) -> None:
    import_claims(engine=engine, document=TRICKY, actor="cli")
    row = cells(export_csv(engine=engine))[0]
    assert row["caveats"] == (
        r"Excludes Wagner\; counted separately.; A path C:\\files\\n, kept as is."
    )
    assert row["aliases"] == "a\\;b; ends with a backslash \\\\; утечка КП"
    with another_empty_database(engine, tmp_path) as other:
        import_csv(engine=other, data=export_csv(engine=engine), actor="cli")
        claim = get_claim(engine=other, key="tricky-texts")
        assert claim is not None
        assert claim.caveats == TRICKY["claims"][0]["caveats"]
        assert claim.aliases == ["a;b", "ends with a backslash \\", "утечка КП"]


def test_a_range_is_written_low_dash_high_and_read_back_as_a_range(engine: Engine) -> None:
    import_claims(engine=engine, document=TRICKY, actor="cli")
    rows = cells(export_csv(engine=engine))
    assert [row["figure"] for row in rows] == ["80000-100000", "1234", "1234"]

    import_csv(engine=engine, data=f"{HEADER}\nranged,9000 - 12000,killed,x,y,2024\n", actor="cli")
    ranged = get_claim(engine=engine, key="ranged")
    assert ranged is not None
    assert (ranged.figure_low, ranged.figure_high) == (9000, 12000)


def test_figures_with_thousands_commas_import_as_numbers(engine: Engine) -> None:
    data = f'{HEADER}\none,"9,861",killed,x,y,2022\ntwo,"80,000-100,000",killed,x,y,2023\n'
    import_csv(engine=engine, data=data, actor="cli")
    one, two = get_claim(engine=engine, key="one"), get_claim(engine=engine, key="two")
    assert one is not None
    assert two is not None
    assert one.figure == 9861
    assert two.figure == [80000, 100000]


def test_a_retracted_claim_keeps_its_status_and_reason_in_csv(engine: Engine) -> None:
    import_claims(engine=engine, document=TRICKY, actor="cli")
    withdrawn = cells(export_csv(engine=engine))[2]
    assert (withdrawn["status"], withdrawn["retraction_reason"]) == (
        "retracted",
        "The claimant withdrew it.",
    )


def test_a_csv_export_holds_claims_only_with_every_field_as_a_column(engine: Engine) -> None:
    import_claims(engine=engine, document=seed_document(), actor="cli")
    text = export_csv(engine=engine)
    header = text.splitlines()[0].split(",")
    assert tuple(header) == CSV_FIELDS
    assert header[:2] == ["key", "figure"]
    assert not {"id", "created_at", "audit", "actor"} & set(header)
    assert len(cells(text)) == 17
    assert text.endswith("\r\n")  # RFC 4180 line ends


# --- spreadsheet formulas -------------------------------------------------------------------


def test_text_that_looks_like_a_formula_is_quoted_on_export(engine: Engine) -> None:
    import_claims(engine=engine, document=TRICKY, actor="cli")
    row = cells(export_csv(engine=engine))[1]
    assert row["who"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["where"] == "'+380 region"
    assert row["period"] == "''=already quoted"
    assert row["claimant"] == "'@everyone"
    assert row["caveats"] == "'-5% against last month.; Second item =fine."
    assert row["figure"] == "1234"  # figures are numbers, never quoted


def test_the_formula_quote_is_taken_off_on_import(engine: Engine, tmp_path: Path) -> None:
    import_claims(engine=engine, document=TRICKY, actor="cli")
    with another_empty_database(engine, tmp_path) as other:
        import_csv(engine=other, data=export_csv(engine=engine), actor="cli")
        claim = get_claim(engine=other, key="formula-like")
        assert claim is not None
        assert claim.who == TRICKY["claims"][1]["who"]
        assert claim.period == "'=already quoted"
        assert claim.caveats == ["-5% against last month.", "Second item =fine."]


def test_a_leading_quote_before_plain_text_is_kept(engine: Engine) -> None:
    data = f"{HEADER},where\nquoted,10,killed,'Meat grinder' troops,y,2024,'Bakhmut'\n"
    import_csv(engine=engine, data=data, actor="cli")
    claim = get_claim(engine=engine, key="quoted")
    assert claim is not None
    assert (claim.who, claim.where) == ("'Meat grinder' troops", "'Bakhmut'")


# --- what a spreadsheet writes --------------------------------------------------------------


def test_a_spreadsheet_file_with_a_byte_order_mark_and_crlf_imports(engine: Engine) -> None:
    text = f"{HEADER},caveats\r\nbom-crlf,5,killed,Russian soldiers,Кто-то,2024-05,a; b\r\n"
    report = import_csv(engine=engine, data=b"\xef\xbb\xbf" + text.encode(), actor="cli")
    assert report.added == ["bom-crlf"]
    claim = get_claim(engine=engine, key="bom-crlf")
    assert claim is not None
    assert (claim.claimant, claim.caveats) == ("Кто-то", ["a", "b"])


def test_a_utf8_file_without_a_byte_order_mark_imports(engine: Engine) -> None:
    data = f"{HEADER}\nplain,5,killed,українські військові,Хтось,2024\n".encode()
    assert import_csv(engine=engine, data=data, actor="cli").added == ["plain"]


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16"])
def test_a_file_in_another_encoding_is_refused_as_not_utf8(engine: Engine, encoding: str) -> None:
    data = f"{HEADER}\nx,5,killed,Russian soldiers,Генштаб,2024\n".encode(encoding)
    with pytest.raises(CsvError, match="not UTF-8"):
        import_csv(engine=engine, data=data, actor="cli")
    assert count_claims(engine=engine) == 0


def test_columns_come_in_any_order_and_case_and_empty_cells_are_absent(engine: Engine) -> None:
    data = (
        " Date ,Claimant,WHO,measure,figure,key,where,caveats,per\n"
        "2024-05,Someone,Russian soldiers,killed,12,any-order,,  ,\n"
    )
    import_csv(engine=engine, data=data, actor="cli")
    claim = get_claim(engine=engine, key="any-order")
    assert claim is not None
    assert (claim.date, claim.figure, claim.where, claim.per, claim.caveats) == (
        "2024-05",
        12,
        None,
        None,
        [],
    )


def test_blank_rows_trailing_empty_columns_and_short_rows_are_accepted(engine: Engine) -> None:
    data = f"{HEADER},caveats,,\n\n,,,,,,,,\nshort,5,killed,x,y,2024\nfull,6,killed,x,y,2024,c,,\n"
    report = import_csv(engine=engine, data=data, actor="cli")
    assert report.added == ["short", "full"]


def test_a_header_only_file_imports_nothing(engine: Engine) -> None:
    assert import_csv(engine=engine, data=HEADER + "\r\n", actor="cli").added == []


# --- errors name the row and the column -----------------------------------------------------


def test_a_csv_with_a_bad_figure_names_its_row_and_column(engine: Engine) -> None:
    rows = [f"good-{n},{n},killed,x,y,2024" for n in range(5)]
    data = "\n".join([HEADER, *rows, "kp-leak,lots,killed,x,y,2024", ""])
    assert csv_errors(engine, data) == ['row 7, column figure: "lots" is not a number']


def test_every_bad_cell_of_every_row_is_listed_and_nothing_is_stored(engine: Engine) -> None:
    data = (
        f"{HEADER},url\n"
        "fine,1,killed,x,y,2024,\n"
        "bad-measure,2,eaten,x,y,2024,\n"
        "no-who,3,killed,,y,2024-13,ftp://x\n"
        "upside-down,9-3,killed,x,y,2024,\n"
    )
    errors = csv_errors(engine, data)
    assert errors[0].startswith('row 3, column measure: "eaten" is not one of: killed')
    assert errors[1:] == [
        "row 4, column who: is required",
        'row 4, column date: "2024-13" has no such month',
        'row 4, column url: "ftp://x" is not an http(s) link',
        "row 5, column figure: range low 9 is above high 3",
    ]


def test_row_numbers_are_the_spreadsheet_rows_even_with_multiline_cells(engine: Engine) -> None:
    data = f'{HEADER},caveats\nfirst,1,killed,x,y,2024,"two\nlines"\n\nthird,1,killed,x,y,20x\n'
    errors = csv_errors(engine, data)
    assert errors == ['row 4, column date: "20x" is not YYYY, YYYY-MM or YYYY-MM-DD']


def test_a_duplicate_key_names_the_row_it_repeats(engine: Engine) -> None:
    data = f"{HEADER}\nsame,1,killed,x,y,2024\nother,1,killed,x,y,2024\nsame,2,killed,x,y,2024\n"
    assert csv_errors(engine, data) == ["row 4, column key: duplicate of row 2"]


def test_an_unknown_column_is_an_error_naming_it(engine: Engine) -> None:
    errors = csv_errors(engine, f"{HEADER},victims\nx,1,killed,x,y,2024,many\n")
    assert len(errors) == 1
    assert errors[0].startswith("row 1, column victims: is not a known column; the columns are:")


def test_a_semicolon_separated_file_is_told_to_use_commas(engine: Engine) -> None:
    errors = csv_errors(engine, "key;figure;measure;who;claimant;date\nx;1;killed;x;y;2024\n")
    assert any("cells must be separated by commas" in error for error in errors)


def test_a_missing_required_column_is_an_error_naming_it(engine: Engine) -> None:
    errors = csv_errors(engine, "key,figure,measure,who,date\nx,1,killed,x,2024\n")
    assert errors == ["row 1, column claimant: is required, and the header row has no such column"]


def test_a_doubled_or_nameless_column_is_an_error(engine: Engine) -> None:
    errors = csv_errors(engine, f"{HEADER},who,,where\nx,1,killed,x,y,2024,z,,w\n")
    assert errors == ["row 1, column who: appears more than once", "row 1, column 8: has no name"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (f'{HEADER}\nx,1,killed,"never closed,y,2024\n', "row 2: a quoted cell is never closed"),
        (f'{HEADER}\nx,1,killed,"closed" then more,y,2024\n', "row 2: text follows a closing"),
        (f"{HEADER}\nok,1,killed,x,y,2024\nx,1,killed,a\x00b,y,2024\n", "row 3 holds a NUL byte"),
        (f"{HEADER}\nx,1,killed,x,y,2024,surplus\n", "row 2 has 7 cells, but the header names 6"),
        ("", "the file is empty"),
    ],
    ids=["unclosed-quote", "text-after-quote", "nul-byte", "too-many-cells", "empty"],
)
def test_malformed_csv_is_a_clear_error_and_stores_nothing(
    engine: Engine, data: str, message: str
) -> None:
    with pytest.raises(CsvError) as caught:
        import_csv(engine=engine, data=data, actor="cli")
    assert message in str(caught.value)
    assert count_claims(engine=engine) == 0


def test_reading_a_csv_gives_the_import_document_shape() -> None:
    data = f'{HEADER},caveats,aliases\nk,80000-100000,killed,x,y,2024,"a\\;b; c",\n'
    sheet = read_csv(data)
    assert sheet.document == {
        "claims": [
            {
                "key": "k",
                "figure": [80000, 100000],
                "measure": "killed",
                "who": "x",
                "claimant": "y",
                "date": "2024",
                "caveats": ["a;b", "c"],
            }
        ]
    }
    assert sheet.rows == [2]
