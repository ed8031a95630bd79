""".xls and .ods workbooks (saved from old Excel or LibreOffice) are read for their values,
as the .xlsx they were saved from; broken, protected or oversized ones are refused with a
code, never a traceback.

tests/fixtures/centre.ods and centre.xls are LibreOffice's conversions of the workbook
tools/make_format_fixtures.py builds (`make fixtures` makes them again).
"""

from __future__ import annotations

import dataclasses
import shutil
import struct
from pathlib import Path

import msoffcrypto.format.ooxml
import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.commands.build import build
from reportgen.commands.check import check
from reportgen.model import Severity, Status
from reportgen.reader import calamine, read_workbook, sheet_extent, sheet_xml
from reportgen.round import Round
from reportgen.writers import RenderOptions

from .helpers import (
    DEFAULT_INPUT,
    FIXTURES,
    docx_text,
    ods_content,
    patched,
    script_module,
    xls_patched,
    xls_records,
)

fixtures = script_module("tools", "make_format_fixtures")


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """The .xlsx the two fixtures were saved from."""
    return fixtures.write_centre_workbook(tmp_path_factory.mktemp("source") / "centre.xlsx")


def goals(result) -> list:
    """The goals with where they stand, in order, the file name left out."""
    return [(theme.name, area.name, area.effect_goals,
             dataclasses.replace(goal, source=dataclasses.replace(goal.source, file="")))
            for theme in result.report.themes for area in theme.focus_areas
            for goal in area.goals]


def said(result) -> list[tuple]:
    return [(f.code, f.severity, f.sheet, f.cell, f.message) for f in result.findings]


@pytest.mark.parametrize("suffix", [".ods", ".xls"])
def test_an_ods_or_xls_file_reads_as_the_xlsx_it_was_saved_from(source, suffix):
    expected = read_workbook(source)
    result = read_workbook(FIXTURES / f"centre{suffix}")
    assert [goal.id for goal in result.report.goals()] == ["2.1", "2.2", "2.10", "3"]
    assert goals(result) == goals(expected)
    assert result.report.meta == expected.report.meta
    assert result.rows_read == {f"centre{suffix}": 4}
    notice, *others = result.findings
    assert (notice.code, notice.severity, notice.file) == ("RG906", Severity.NOTICE,
                                                           f"centre{suffix}")
    assert f"gemt som {suffix}" in notice.message and "fyldfarver" in notice.message
    assert said(expected) == [(f.code, f.severity, f.sheet, f.cell, f.message) for f in others]
    assert [f.code for f in others] == ["RG905"]  # the hidden sheet with goals, passed over
    assert not result.errors


@pytest.mark.parametrize("suffix", [".ods", ".xls"])
def test_values_are_shown_as_excel_shows_them_with_no_format_known(suffix):
    goal = next(g for g in read_workbook(FIXTURES / f"centre{suffix}").report.goals()
                if g.id == "2.10")
    assert goal.measure == "1. marts 2025"  # a date in a text column
    assert goal.timeline == (Status.RED, Status.YELLOW)


NINE_DIGITS_SAID = "Cellen er et tal på ni cifre"
# A CPR number typed as a number: the .ods's comment cell I5 the number 101901234, the
# .xls's Id A6 (an RK record: 3 in its last four bytes, as (3 << 2) | 2).
NINE_DIGITS = {
    ".ods": lambda target: _ods(target, _ods_cell(
        b'office:value-type="string" calcext:value-type="string"><text:p>Planen blev '
        b"forsinket af udbuddet; den vedtages i juni.<",
        b'office:value-type="float" office:value="101901234" calcext:value-type="float">'
        b"<text:p>101901234<")),
    ".xls": lambda target: xls_patched(target, lambda data: _rk(data, 5, 0, 101901234)),
}


def _ods_cell(old: bytes, new: bytes) -> bytes:
    import zipfile

    with zipfile.ZipFile(FIXTURES / "centre.ods") as ods:
        content = ods.read("content.xml")
    assert content.count(old) == 1
    return content.replace(old, new)


def _rk(data: bytearray, row: int, column: int, number: int) -> None:
    """The RK record (a number) of the cell at `row`, `column` (0-based) made `number`."""
    for offset, kind, _ in xls_records(data):
        if kind == 0x027E and struct.unpack_from("<HH", data, offset + 4) == (row, column):
            struct.pack_into("<I", data, offset + 10, number << 2 | 2)
            return
    raise AssertionError("no such RK record")


@pytest.mark.parametrize(("suffix", "cell", "goal"), [
    (".ods", "I5", "Plan for skolernes bygninger"),
    (".xls", "A6", "Solceller på kommunens bygninger")])
def test_a_nine_digit_number_in_an_ods_or_xls_is_likely_a_cpr_number(suffix, cell, goal,
                                                                     tmp_path):
    """Values only: the number format that would show the leading zero is not known, so a
    whole number of nine digits that is a date and four digits with a zero before it is
    said to look like a CPR number (likely, not certain)."""
    path = NINE_DIGITS[suffix](tmp_path / f"centre{suffix}")
    _, findings = check(Round([path]))  # the reader's finding, and how to accept it
    assert [(f.code, f.severity, f.sheet, f.cell, f.message) for f in findings
            if f.code.startswith("RG6")] == [(
                "RG601", Severity.ERROR, "Mål", cell,
                f"Cellen (målet »{goal}«) indeholder noget, der ligner et CPR-nummer "
                "(0101XX-XXXX), som ikke må offentliggøres. Slet nummeret. Cellen er et tal "
                "på ni cifre; et CPR-nummer, der er skrevet som et tal, mister sit første nul. "
                f"Er det ikke personoplysninger, så godkend fundet med --accept RG601@Mål!{cell}.")]
    if suffix == ".ods":  # a draft shows it masked
        outcome = build(Round([path]), tmp_path / "out", ("docx",), RenderOptions(draft=True))
        text = docx_text(outcome.written[0].read_bytes())
        assert "Kommentar: 0101XX-XXXX" in text and "101901234" not in text


def test_a_number_of_nine_or_ten_digits_with_no_format_known(tmp_path):
    """The values-only rule at the stage's hand-over: ten digits are a CPR number as any
    text is; nine are one when a zero before them makes them one; others are not."""
    from reportgen.reader.calamine import ValuesSheet
    from reportgen.reader.rows import FileFindings, personal_data

    values = [[101901234], [201901234.0], [1501901234], [321901234],  # no 21st month
              ["111901234"], [101901234.5]]  # a text; not a whole number
    findings = FileFindings("a.ods")
    personal_data(ValuesSheet("Mål", True, values).rows(1, {"comment": 1}), "Mål", findings)
    likely = "Cellen indeholder noget, der ligner et CPR-nummer ({}), som ikke må offentliggøres."
    assert [(f.cell, f.message.split(" Slet")[0]) for f in findings] == [
        ("A1", likely.format("0101XX-XXXX")), ("A2", likely.format("0201XX-XXXX")),
        ("A3", likely.format("1501XX-XXXX"))]
    assert [NINE_DIGITS_SAID in f.message for f in findings] == [True, True, False]


@pytest.fixture
def folder(tmp_path) -> Path:
    """Three workbooks, one in each format, and a file that is no workbook."""
    folder = tmp_path / "retur"
    folder.mkdir()
    for path in (*DEFAULT_INPUT.glob("*.xlsx"), FIXTURES / "centre.ods",
                 FIXTURES / "centre.xls"):
        shutil.copy(path, folder)
    (folder / "noter.docx").write_bytes(b"PK\x03\x04 not read")
    return folder


def test_a_folder_reads_xlsx_ods_and_xls_and_names_the_rest(folder):
    result, findings = check(Round([folder]))
    assert result.rows_read == {"tema-1-vision-og-bosaetning.xlsx": 7, "centre.ods": 4,
                                "centre.xls": 4}
    # the .ods and the .xls hold the same goals: each is one goal, said (RG402)
    assert len(list(result.report.goals())) == 11
    assert not [f for f in findings if f.severity is Severity.ERROR]
    assert [(f.code, f.file) for f in findings if f.code in ("RG010", "RG906")] == [
        ("RG010", "noter.docx"), ("RG906", "centre.ods"), ("RG906", "centre.xls")]


def test_check_on_the_command_line_counts_the_goals_of_all_three(folder, tmp_path,
                                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check", str(folder)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "Læst 15 mål fra 3 arbejdsbøger" in result.output
    assert "RG906 bemærkning: centre.ods: Filen er gemt som .ods" in result.output
    assert "RG010 bemærkning: noter.docx" in result.output


def _ods(target: Path, content: bytes, name: str = "content.xml") -> Path:
    """A copy of centre.ods with its content.xml (or entry `name`) replaced."""
    return patched(FIXTURES / "centre.ods", target, name, lambda _: content)


def _random_content(target: Path) -> Path:
    return _ods(target, bytes(range(256)) * 64)


def _entities(target: Path) -> Path:
    content = ods_content('<table:table-row><table:table-cell office:value-type="string">'
                          "<text:p>&lol;</text:p></table:table-cell></table:table-row>")
    return _ods(target, content.replace(b"?><", b'?><!DOCTYPE l [<!ENTITY lol "lol">]><', 1))


def _truncated(suffix: str):
    def make(target: Path) -> Path:
        data = (FIXTURES / f"centre{suffix}").read_bytes()
        target.write_bytes(data[:len(data) // 2])
        return target
    return make


def _garbage_stream(target: Path) -> Path:
    def edit(data):
        data[20:] = bytes((i * 7919) % 251 for i in range(len(data) - 20))
    return xls_patched(target, edit)


def _password_xls(target: Path) -> Path:
    """The record after the first BOF made a FILEPASS: what Excel writes first in a
    password-protected .xls, whose records it then encrypts."""
    def edit(data):
        (_, _, _), (second, _, _), *_ = xls_records(data)
        struct.pack_into("<H", data, second, 0x002F)
    return xls_patched(target, edit)


def _password_ods(target: Path) -> Path:
    manifest = (b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
                b'"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                b'manifest:full-path="content.xml" manifest:media-type="text/xml">'
                b'<manifest:encryption-data manifest:checksum-type="SHA1/1K"/>'
                b"</manifest:file-entry></manifest:manifest>")
    return _ods(target, manifest, "META-INF/manifest.xml")


def _encrypted_xlsx(target: Path) -> Path:
    source = fixtures.write_centre_workbook(target.with_name("plain.xlsx"))
    with source.open("rb") as plain, target.open("wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(plain).encrypt("hemmelig", out)
    return target


def _csv(target: Path) -> Path:
    target.write_text("Tema;Resultatmål\nT;M\n", encoding="utf-8")
    return target


def _not_excel(target: Path) -> Path:
    """An OLE2 file without a workbook stream, as an old Word document is."""
    data = (FIXTURES / "centre.xls").read_bytes()
    name = "Workbook".encode("utf-16-le")
    assert data.count(name) == 1
    target.write_bytes(data.replace(name, "Wordbook".encode("utf-16-le")))
    return target


def _copy(source: Path):
    def make(target: Path) -> Path:
        shutil.copy(source, target)
        return target
    return make


BAD = {
    # name: (file name, make, code, words the message must hold)
    "random-content": ("centre.ods", _random_content, "RG101", "kan ikke læses"),
    "entities-ods": ("centre.ods", _entities, "RG105", "XML"),
    "truncated-ods": ("centre.ods", _truncated(".ods"), "RG101", "beskadiget"),
    "truncated-xls": ("centre.xls", _truncated(".xls"), "RG101", "beskadiget"),
    "garbage-xls": ("centre.xls", _garbage_stream, "RG101", "kan ikke læses"),
    "password-xls": ("centre.xls", _password_xls, "RG102", "adgangskode"),
    "password-ods": ("centre.ods", _password_ods, "RG102", "adgangskode"),
    "password-xlsx-as-xls": ("centre.xls", _encrypted_xlsx, "RG102", "adgangskode"),
    "word-as-xls": ("centre.xls", _not_excel, "RG101", "ikke en Excel-arbejdsbog"),
    "csv-as-xls": ("centre.xls", _csv, "RG101", "CSV"),
    "ods-as-xlsx": ("centre.xlsx", _copy(FIXTURES / "centre.ods"), "RG101",
                    "ender på .ods"),
    "xls-as-xlsx": ("centre.xlsx", _copy(FIXTURES / "centre.xls"), "RG102",
                    "ender på .xls"),
    "xlsx-as-ods": ("centre.ods", _copy(DEFAULT_INPUT / "tema-1-vision-og-bosaetning.xlsx"),
                    "RG101", "ender på .xlsx"),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_a_broken_protected_or_misnamed_file_is_one_error(name, tmp_path, monkeypatch):
    file_name, make, code, words = BAD[name]
    path = make(tmp_path / file_name)
    result = read_workbook(path)
    assert [(f.code, f.file) for f in result.findings] == [(code, file_name)], said(result)
    assert words in result.findings[0].message
    monkeypatch.chdir(tmp_path)
    shown = CliRunner().invoke(main, ["check", str(path)])
    assert shown.exit_code == 1 and f"{code} fejl: {file_name}" in shown.output
    assert "Traceback" not in shown.output
    assert shown.exception is None or isinstance(shown.exception, SystemExit)


def test_the_cell_limit_holds_for_ods_and_xls(monkeypatch):
    monkeypatch.setattr(sheet_xml, "MAX_CELLS", 50)  # the goal sheet reaches A1:J6
    for suffix in (".ods", ".xls"):
        result = read_workbook(FIXTURES / f"centre{suffix}")
        assert [(f.code, f.sheet) for f in result.findings] == [("RG106", "Mål")]
        assert "flere end 50 celler" in result.findings[0].message
        assert "J6" in result.findings[0].message


def test_what_calamine_built_is_held_to_the_limit_too(monkeypatch):
    """Should calamine reach further than the file's records said, no Python object is
    made of its cells either."""
    monkeypatch.setattr(sheet_xml, "MAX_CELLS", 50)
    monkeypatch.setattr(calamine, "ods_extents", lambda path, limit: [])
    result = read_workbook(FIXTURES / "centre.ods")
    assert [(f.code, f.sheet) for f in result.findings] == [("RG106", "Mål")]


@pytest.mark.parametrize("suffix", [".ods", ".xls"])
def test_a_file_of_too_many_records_is_refused_before_they_are_read(suffix, monkeypatch):
    monkeypatch.setattr(sheet_extent, "MAX_RECORDS", 100)  # each fixture has more
    result = read_workbook(FIXTURES / f"centre{suffix}")
    assert [f.code for f in result.findings] == ["RG106"]
    assert "flere end 100 poster" in result.findings[0].message
    assert f"grænsen for en {suffix}-fil" in result.findings[0].message


def test_an_ods_zip_bomb_is_refused_unread(tmp_path):
    path = _ods(tmp_path / "bomb.ods", b" " * (12 << 20))  # 12 MB, packed 1,000x
    result = read_workbook(path)
    assert [f.code for f in result.findings] == ["RG106"]
    assert "pakker sig ud" in result.findings[0].message
