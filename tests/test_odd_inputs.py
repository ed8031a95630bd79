"""Inputs an operator really hands over: odd folders and files, odd names, odd details.

Each is read or refused with a Danish finding naming the file; none is a traceback.
"""

from __future__ import annotations

import io
import json
import os
import pathlib
import zipfile

import docx
import pytest

from reportgen.commands.build import build
from reportgen.commands.check import check
from reportgen.round import Round

from .helpers import goal_row, write_workbook


def codes(findings) -> list[tuple[str, str | None]]:
    return [(f.code, f.file) for f in findings]


def test_a_folders_other_entries_are_passed_over_with_a_word(tmp_path):
    folder = tmp_path / "retur"
    write_workbook(folder / "CPU.xlsx", [goal_row("A")])
    (folder / "._CPU.xlsx").write_bytes(b"\x00\x05\x16\x07 mac resource fork")
    (folder / "~$CPU.xlsx").write_bytes(b"lock")
    (folder / "CSO.numbers").write_bytes(b"PK\x03\x04 Apple Numbers")
    (folder / "noter.txt").write_text("husk")
    (folder / "gammelt").mkdir()
    result, findings = check(Round([folder]))
    assert [g.text for g in result.report.goals()] == ["A"]
    passed = {f.file: f for f in findings if f.code == "RG010"}
    assert sorted(passed) == ["._CPU.xlsx", "CSO.numbers", "gammelt", "noter.txt",
                              "~$CPU.xlsx"]
    assert passed["CSO.numbers"].severity.value == "advarsel"
    assert ".xlsx" in passed["CSO.numbers"].message
    assert passed["~$CPU.xlsx"].severity.value == "bemærkning"
    assert not [f for f in findings if f.severity.value == "fejl"]


@pytest.mark.parametrize(("content", "says"), [
    (b"", "tom (0 byte)"),
    (b"%PDF-1.7\n%\xe2\xe3", "en PDF-fil"),
    ("Tema;Indsats;Mål\n".encode(), "en tekst- eller CSV-fil"),
])
def test_files_that_are_no_workbook_say_what_they_are(tmp_path, content, says):
    path = tmp_path / "a.xlsx"
    path.write_bytes(content)
    _, findings = check(Round([path]))
    assert [f.code for f in findings] == ["RG101"]
    assert says in findings[0].message


def test_a_folder_or_a_pipe_named_like_a_workbook_is_not_called_missing(tmp_path):
    folder = tmp_path / "retur"
    write_workbook(folder / "CPU.xlsx", [goal_row("A")])
    (folder / "mappe.xlsx").mkdir()
    os.mkfifo(folder / "fifo.xlsx")
    _, findings = check(Round([folder]))
    assert [(f.code, f.file) for f in findings] == [("RG100", "fifo.xlsx"),
                                                    ("RG010", "mappe.xlsx")]
    assert "ikke en fil" in findings[0].message and "Mappen" in findings[1].message


def test_a_workbook_that_may_not_be_read_is_a_finding(tmp_path, monkeypatch):
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("A")])
    real = pathlib.Path.open

    def refuse(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pathlib.Path, "open", refuse)
    _, findings = check(Round([path]))
    assert [f.code for f in findings] == ["RG109"]
    assert "Permission denied" in findings[0].message


def test_a_latin_1_file_name_from_a_windows_share_is_read_and_named(tmp_path):
    name = os.fsdecode(b"B\xf8rn og Unge.xlsx")
    _, findings = check(Round([write_workbook(tmp_path / "in" / name, [goal_row("A", "blå")])]))
    assert [f.file for f in findings] == ["Børn og Unge.xlsx"]
    outcome = build(Round([write_workbook(tmp_path / name, [goal_row("A")])]), tmp_path / "out",
                    ("json",))
    assert outcome.written == [tmp_path / "out" / "Børn-og-Unge.json"]
    goal = json.loads(outcome.written[0].read_text())["themes"][0]["focus_areas"][0]["goals"][0]
    assert goal["source"]["file"] == "Børn og Unge.xlsx"


def test_a_dropdowns_extension_openpyxl_leaves_out_warns_no_one(tmp_path):
    """Excel writes a dropdown whose list is on another sheet as an x14 extension; openpyxl
    warns that it drops it. The suite turns warnings into errors, so this reads quietly."""
    path = write_workbook(tmp_path / "a.xlsx", [goal_row("A")])
    extension = (
        b'<extLst><ext uri="{CCE6A557-97BC-4b89-ADB6-D9C93CAAB3DF}" xmlns:x14='
        b'"http://schemas.microsoft.com/office/spreadsheetml/2009/9/main"><x14:dataValidations'
        b' count="1" xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main">'
        b'<x14:dataValidation type="list"><x14:formula1><xm:f>Lister!$A$1:$A$3</xm:f>'
        b'</x14:formula1><xm:sqref>F2:G2</xm:sqref></x14:dataValidation>'
        b'</x14:dataValidations></ext></extLst></worksheet>')
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = parts[sheet].replace(b"</worksheet>", extension)
    with zipfile.ZipFile(path, "w") as target:
        for name, data in parts.items():
            target.writestr(name, data)
    result, findings = check(Round([path]))
    assert [g.text for g in result.report.goals()] == ["A"] and not findings


@pytest.mark.parametrize(("date", "created"), [
    ("2018-08-03T10:00:00+02:00", "2018-08-03T08:00:00"),
    ("0001-01-01", "2000-01-01T00:00:00"),
    ("August 2018", "2018-08-01T00:00:00"),
])
def test_long_details_and_odd_dates_make_valid_document_properties(tmp_path, date, created):
    themes = [goal_row("A", theme=f"Tema {i}: et langt navn på et tema i planen")
              for i in range(20)]
    title, subtitle = "Titel " * 60, "Undertitel " * 30
    path = write_workbook(tmp_path / "a.xlsx", themes,
                          meta=[("Titel", title), ("Undertitel", subtitle), ("Dato", date)])
    outcome = build(Round([path]), tmp_path / "out", ("docx",))
    assert not outcome.errors
    data = outcome.written[0].read_bytes()
    properties = docx.Document(io.BytesIO(data)).core_properties
    assert properties.created.isoformat().startswith(created)
    assert len(properties.title) == len(properties.subject) == len(properties.keywords) == 255
    assert properties.subject.startswith("Undertitel Undertitel") and properties.subject[-1] == "…"
    # the whole text stands in the document
    body = b"".join(zipfile.ZipFile(io.BytesIO(data)).read(n) for n in ("word/document.xml",))
    assert subtitle.strip().encode() in body


def test_a_file_name_made_from_a_long_name_fits_every_file_system():
    from reportgen.files import safe_name

    for name in ("𝐂𝐞𝐧𝐭𝐞𝐫" * 30, "Børn og Unge " * 20, "中心" * 60):
        stem = safe_name(name)
        assert 0 < len(stem.encode()) <= 200 and len(f".{stem}.xlsx.abcdefgh.tmp".encode()) < 255
    assert safe_name("Børn og Unge") == "Børn-og-Unge"


def test_a_workbook_saved_as_strict_open_xml_is_named_as_such(tmp_path):
    from .helpers import patched

    plain = write_workbook(tmp_path / "plain.xlsx", [goal_row("A")])
    strict = patched(plain, tmp_path / "strict.xlsx", "xl/workbook.xml", lambda data: data.replace(
        b"http://schemas.openxmlformats.org/spreadsheetml/2006/main",
        b"http://purl.oclc.org/ooxml/spreadsheetml/main"))
    _, findings = check(Round([strict]))
    assert [f.code for f in findings] == ["RG101"]
    assert "Strict Open XML" in findings[0].message
