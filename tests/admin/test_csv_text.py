"""CSV decoding (UTF-8, BOM, Shift_JIS offered for conversion) and spreadsheet-safe exports."""

from __future__ import annotations

import csv
import io

import pytest

from camtui.admin.csv_text import (
    BOM,
    CsvEncodingError,
    csv_text,
    decode_csv,
    looks_neutralised,
    neutralise,
    preview_rows,
)

SAMPLE = "uid,email,name\r\nu1,taro@example.com,山田太郎\r\nu2,hana@example.com,佐藤花子\r\n"


def test_utf8_and_bom_are_taken_as_is():
    plain = decode_csv(SAMPLE.encode("utf-8"))
    assert (plain.text, plain.encoding, plain.converted) == (SAMPLE, "UTF-8", False)
    bom = decode_csv(SAMPLE.encode("utf-8-sig"))
    assert (bom.text, bom.encoding, bom.converted) == (SAMPLE, "UTF-8 with BOM", False)


def test_shift_jis_is_recognised_converted_and_previewed():
    decoded = decode_csv(SAMPLE.encode("cp932"))
    assert decoded.converted and decoded.encoding == "Shift_JIS (cp932)"
    assert decoded.text == SAMPLE
    assert decoded.utf8_bytes() == SAMPLE.encode("utf-8")
    assert preview_rows(decoded.text, 2) == [["uid", "email", "name"], ["u1", "taro@example.com", "山田太郎"]]


def test_undecodable_bytes_name_the_line():
    data = b"uid,email\r\nu1,a@b.jp\r\n\xff\xfe\xfa\xfb\x80\r\n"
    with pytest.raises(CsvEncodingError) as info:
        decode_csv(data)
    assert info.value.line == 3


@pytest.mark.parametrize("cell", ["=1+2", "+81", "-x", "@SUM(A1)", "\tx"])
def test_formula_like_cells_are_neutralised(cell):
    assert neutralise(cell) == "'" + cell
    assert looks_neutralised(neutralise(cell))
    assert not looks_neutralised(cell)


def test_spreadsheet_text_has_bom_and_quotes_formulas_plain_text_does_not():
    rows = [["name", "dept"], ['=HYPERLINK("x")', "営業"]]
    sheet = csv_text(rows, for_spreadsheet=True)
    assert sheet.startswith(BOM)
    assert list(csv.reader(io.StringIO(sheet[1:]))) == [["name", "dept"], ['\'=HYPERLINK("x")', "営業"]]
    plain = csv_text(rows)
    assert not plain.startswith(BOM)
    assert list(csv.reader(io.StringIO(plain))) == rows
    assert neutralise("山田") == "山田"
