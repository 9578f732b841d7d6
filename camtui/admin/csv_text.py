"""Turning the bytes of a users CSV into text, and text into files people open in spreadsheets.

Excel on Japanese Windows saves CSV as Shift_JIS (cp932) by default. Such a file is recognised and offered for
conversion (with its first rows decoded, so the user sees it is right), never sent as mojibake: the server
takes UTF-8 only. Exports meant for spreadsheets get a byte-order mark (Excel then reads UTF-8) and have cells
that start with `=`, `+`, `-` or `@` neutralised with a leading `'`, so opening the file cannot run a formula
someone typed into their own name (CSV injection)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from camtui.common.legacy_encoding import guess_japanese_encoding

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may read as the start of a formula (OWASP's list: tab and CR too)."""

_CODECS = {"Shift_JIS (cp932)": "cp932", "EUC-JP": "euc_jp", "ISO-2022-JP": "iso2022_jp"}


class CsvEncodingError(ValueError):
    """The bytes are neither UTF-8 nor a Japanese legacy encoding: nothing can be shown or sent."""

    def __init__(self, line: int, detail: str) -> None:
        self.line = line
        super().__init__(f"line {line}: {detail}")


@dataclass(frozen=True, slots=True)
class DecodedCsv:
    text: str
    """The CSV text, without a byte-order mark."""
    encoding: str
    """What the file was: "UTF-8", "UTF-8 with BOM", "Shift_JIS (cp932)", "EUC-JP" or "ISO-2022-JP"."""
    converted: bool
    """True when the file is not UTF-8: the text was decoded from `encoding` and must be confirmed first."""

    def utf8_bytes(self) -> bytes:
        """What is sent to updateUsersCSV: always UTF-8 (the converted text for a legacy file)."""
        return self.text.encode("utf-8")


def decode_csv(data: bytes) -> DecodedCsv:
    """UTF-8 (with or without BOM) as is; a Shift_JIS / EUC-JP / ISO-2022-JP file decoded and flagged."""
    if data.startswith(BOM.encode("utf-8")):
        try:
            return DecodedCsv(data.decode("utf-8-sig"), "UTF-8 with BOM", False)
        except UnicodeDecodeError as exc:
            raise _not_utf8(data, exc) from None
    try:
        return DecodedCsv(data.decode("utf-8"), "UTF-8", False)
    except UnicodeDecodeError as exc:
        label = guess_japanese_encoding(data)
        if label is None:
            raise _not_utf8(data, exc) from None
        return DecodedCsv(data.decode(_CODECS[label]), label, True)


def _not_utf8(data: bytes, exc: UnicodeDecodeError) -> CsvEncodingError:
    line = data[: exc.start].count(b"\n") + 1
    return CsvEncodingError(
        line, f"byte 0x{data[exc.start]:02x} is not UTF-8, and the file is not Shift_JIS or EUC-JP either"
    )


def preview_rows(text: str, count: int = 5) -> list[list[str]]:
    """The first `count` records (header included), for "is this decoded right?"."""
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
            if len(rows) >= count:
                break
    except csv.Error:
        pass
    return rows


def neutralise(cell: str) -> str:
    """A cell a spreadsheet will show as text: a leading `'` before anything that could start a formula."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def looks_neutralised(cell: str) -> bool:
    """A cell that went through `neutralise` (a file exported for Excel, edited, and uploaded again)."""
    return len(cell) > 1 and cell[0] == "'" and cell[1:].startswith(FORMULA_STARTS)


def csv_text(rows: Iterable[Sequence[str]], *, for_spreadsheet: bool = False) -> str:
    """CSV text with CRLF rows; `for_spreadsheet`: BOM first and formula-like cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(c) for c in row] if for_spreadsheet else row)
    text = out.getvalue()
    return BOM + text if for_spreadsheet else text
