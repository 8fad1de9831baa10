"""CSV import and export of claims: the JSON contract, one claim a row, for spreadsheets.

The format:

- The first row names the columns: the claim fields (``CSV_FIELDS``) in any order and case.
  ``REQUIRED_COLUMNS`` must be there; an unknown column is an error. Each later row is a claim,
  and an empty cell is an absent field. Blank rows are skipped.
- ``figure`` is a whole number (``9861`` or ``9,861``) or a range, ``80000-100000``.
- ``caveats`` and ``aliases`` separate their items with ``;``. Inside an item ``\\;`` is a
  literal semicolon and ``\\\\`` a literal backslash; any other backslash is kept as it is.
- A text cell that starts with ``=``, ``+``, ``-`` or ``@`` is exported with a ``'`` in front,
  so a spreadsheet shows it rather than running it as a formula; import takes that ``'`` off.
- UTF-8 with or without a byte-order mark, LF or CRLF line ends, cells separated by commas.
- Claims only. Ids, times and the audit log belong to the JSON backup, not the CSV.

An import converts the rows into a ``{"claims": [...]}`` document and imports it with
``import_claims``: all claims or none. Its errors name the row as a spreadsheet numbers it
(the header is row 1) and the column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.engine import Engine

from store.claims import (
    ClaimValidationError,
    FieldError,
    ImportReport,
    StoreError,
    export_claims,
    import_claims,
)
from store.models import CONTRACT_FIELDS, ClaimBase, ClaimCreate

CSV_FIELDS: Final = ("key", *(name for name in CONTRACT_FIELDS if name != "key"))
REQUIRED_COLUMNS: Final = tuple(
    name for name in CSV_FIELDS if ClaimCreate.model_fields[name].is_required()
)
LIST_FIELDS: Final = tuple(
    name for name, info in ClaimBase.model_fields.items() if info.annotation == list[str]
)
LIST_SEPARATOR: Final = "; "  # the space is for people reading the cell; import strips it

_BOM: Final = "\ufeff"
# ASCII digits only: int() would also take other scripts' digits. The caps keep int() fast.
_NUMBER: Final = r"[0-9]{1,3}(?:,[0-9]{3}){1,6}|[0-9]{1,20}"
_FIGURE: Final = re.compile(rf"({_NUMBER})(?:\s*[-–]\s*({_NUMBER}))?")
_LIST_TOKEN: Final = re.compile(r"\\[\\;]|;|[^\\;]+|\\")
# A formula may also follow quotes, so "'=x" gets one more quote and still round-trips.
_FORMULA_START: Final = re.compile(r"'*[=+\-@]")
_CLAIM_REFERENCE: Final = re.compile(r"claims\[(\d+)\]")
_CSV_REASONS: Final = {
    "unexpected end of data": "a quoted cell is never closed (unbalanced quotes)",
    "expected after '\"'": "text follows a closing quote (unbalanced quotes)",
    "field larger than field limit": "a cell is too long",
}


class CsvError(StoreError):
    """The file is not CSV this program can read; nothing was imported."""


@dataclass(frozen=True)
class CellError(FieldError):
    """A field error placed in the sheet: its row (the header is row 1) and its column."""

    row: int | None = None

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        return f"{where}column {self.field}: {self.message}"


@dataclass(frozen=True)
class CsvDocument:
    """A CSV file as an import document, with the sheet row each claim came from."""

    document: dict[str, Any]
    rows: list[int]  # rows[i] is the row of document["claims"][i]

    def locate(self, error: ClaimValidationError) -> ClaimValidationError:
        """The same errors, named by row and column instead of by claim index."""
        return ClaimValidationError([self._cell_error(item) for item in error.errors])

    def _cell_error(self, error: FieldError) -> FieldError:
        if error.index is None or error.section != "claims" or error.index >= len(self.rows):
            return error  # about the whole document, e.g. too many claims
        message = _CLAIM_REFERENCE.sub(self._row_of, error.message)
        return CellError(error.field, message, error.index, error.key, row=self.rows[error.index])

    def _row_of(self, match: re.Match[str]) -> str:
        index = int(match[1])
        return f"row {self.rows[index]}" if index < len(self.rows) else match[0]


def read_csv(data: bytes | str) -> CsvDocument:
    """Turn CSV into an import document; raise CsvError or, for the header, ClaimValidationError."""
    records = _records(_text(data))
    first = next(records, None)
    if first is None:
        raise CsvError(f"the file is empty; its first row must name the columns: {_known()}")
    columns = _columns(first[1])
    claims: list[dict[str, Any]] = []
    rows: list[int] = []
    for row, cells in records:
        if len(cells) > len(columns) and any(cell.strip() for cell in cells[len(columns) :]):
            raise CsvError(
                f"row {row} has {len(cells)} cells, but the header names {len(columns)} columns"
            )
        claim = _claim(zip(columns, cells, strict=False))  # a short row: its last cells are empty
        if claim:
            claims.append(claim)
            rows.append(row)
    return CsvDocument({"claims": claims}, rows)


def import_csv(*, engine: Engine, data: bytes | str, actor: str) -> ImportReport:
    """Import every claim of a CSV file, or none; errors name the row and the column."""
    sheet = read_csv(data)
    try:
        return import_claims(engine=engine, document=sheet.document, actor=actor)
    except ClaimValidationError as exc:
        raise sheet.locate(exc) from None


def claims_csv(claims: Iterable[Mapping[str, Any]]) -> str:
    """Contract claims as CSV text (CRLF line ends, as RFC 4180 has them); other keys are left
    out, so a backup's claims can be given as they are."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for claim in claims:
        writer.writerow([_cell(name, claim.get(name)) for name in CSV_FIELDS])
    return out.getvalue()


def export_csv(*, engine: Engine) -> str:
    """Every claim, retracted ones too, as CSV; no audit records (the JSON export has them)."""
    return claims_csv(export_claims(engine=engine, include_audit=False)["claims"])


def _known() -> str:
    return ", ".join(CSV_FIELDS)


def _text(data: bytes | str) -> str:
    if isinstance(data, str):
        return data.removeprefix(_BOM)
    try:
        return data.decode("utf-8-sig")  # a spreadsheet's byte-order mark, if any, goes too
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CsvError(
            f"the file is not UTF-8 (line {line} has a byte UTF-8 does not allow);"
            ' save it from the spreadsheet as "CSV UTF-8"'
        ) from None


def _records(text: str) -> Iterator[tuple[int, list[str]]]:
    """Each record with its row number: one per record, as a spreadsheet counts rows, even
    when a quoted cell spans several lines."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    row = 0
    while True:
        row += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise CsvError(f"row {row}: {_reason(exc)}") from None
        # The csv module reads NUL, but no database text column can store it.
        if any("\x00" in cell for cell in cells):
            raise CsvError(f"row {row} holds a NUL byte; is the file saved as CSV UTF-8?")
        yield row, cells


def _reason(error: csv.Error) -> str:
    text = str(error)
    return next((reason for known, reason in _CSV_REASONS.items() if known in text), text)


def _columns(header: list[str]) -> list[str]:
    """The header's field names; raise with every column that is unknown, doubled or missing."""
    names = [cell.strip().lower() for cell in header]
    while names and not names[-1]:
        names.pop()  # spreadsheets often write empty columns after the last one
    errors: list[FieldError] = []
    seen: set[str] = set()
    for position, (name, cell) in enumerate(zip(names, header, strict=False), start=1):
        if not name:
            errors.append(CellError(str(position), "has no name", row=1))
        elif name not in CSV_FIELDS:
            errors.append(CellError(cell.strip()[:40], _unknown_column(cell), row=1))
        elif name in seen:
            errors.append(CellError(name, "appears more than once", row=1))
        seen.add(name)
    errors.extend(
        CellError(name, "is required, and the header row has no such column", row=1)
        for name in REQUIRED_COLUMNS
        if name not in seen
    )
    if errors:
        raise ClaimValidationError(errors)
    return names


def _unknown_column(cell: str) -> str:
    message = f"is not a known column; the columns are: {_known()}"
    if ";" in cell or "\t" in cell:
        message += " (cells must be separated by commas)"
    return message


def _claim(cells: Iterable[tuple[str, str]]) -> dict[str, Any]:
    claim: dict[str, Any] = {}
    for name, cell in cells:
        text = cell.strip()
        if text:
            claim[name] = _value(name, text)
    return claim


def _value(name: str, text: str) -> Any:
    if name == "figure":
        return _figure(text)
    text = _unprotect(text)
    return _split(text) if name in LIST_FIELDS else text


def _figure(text: str) -> int | list[int] | str:
    match = _FIGURE.fullmatch(text)
    if match is None:
        return text  # validation names what is wrong with it: "lots" is not a number
    low = int(match[1].replace(",", ""))
    return low if match[2] is None else [low, int(match[2].replace(",", ""))]


def _split(text: str) -> list[str]:
    items: list[str] = []
    current: list[str] = []
    for token in _LIST_TOKEN.findall(text):
        if token == ";":
            items.append("".join(current))
            current = []
        else:
            current.append(token[-1] if token.startswith("\\") else token)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def _escape(item: str) -> str:
    return item.replace("\\", "\\\\").replace(";", "\\;")


def _protect(text: str) -> str:
    return "'" + text if _FORMULA_START.match(text) else text


def _unprotect(text: str) -> str:
    # Only a quote before a formula sign is ours: "'Meat grinder'" keeps its own quote.
    return text[1:] if text.startswith("'") and _FORMULA_START.match(text) else text


def _cell(name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return ""
    if name == "figure":
        return f"{value[0]}-{value[1]}" if isinstance(value, list | tuple) else str(value)
    text = LIST_SEPARATOR.join(map(_escape, value)) if name in LIST_FIELDS else str(value)
    return _protect(text)
