"""Files that are not what they claim, or are built to hurt: each refused with a clear
Danish message naming the file, no traceback, and nothing written."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.reader import read_workbook

from .helpers import goal_row, write_workbook

BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
              for i in range(1, 10))
    + ']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    "</sheetData></worksheet>"
)


def replace_entry(source: Path, target: Path, name: str, write) -> Path:
    """A copy of a workbook with one archive entry written anew by `write(stream)`."""
    with zipfile.ZipFile(source) as archive:
        assert name in archive.namelist()
    with zipfile.ZipFile(source) as old, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as new:
        for info in old.infolist():
            if info.filename == name:
                with new.open(name, "w", force_zip64=True) as stream:
                    write(stream)
            else:
                new.writestr(info, old.read(info))
    return target


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    return write_workbook(tmp_path_factory.mktemp("good") / "god.xlsx", [goal_row("Et mål")])


def _zip_bomb(good: Path, target: Path) -> Path:
    def write(stream):
        stream.write(b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org'
                     b'/spreadsheetml/2006/main"><sheetData>')
        chunk = b" " * (16 << 20)
        for _ in range(64):  # 1 GiB of white space
            stream.write(chunk)
        stream.write(b"</sheetData></worksheet>")
    return replace_entry(good, target, "xl/worksheets/sheet1.xml", write)


def _entity_bomb(good: Path, target: Path) -> Path:
    return replace_entry(good, target, "xl/worksheets/sheet1.xml",
                         lambda stream: stream.write(BILLION_LAUGHS.encode()))


def _encrypted(good: Path, target: Path) -> Path:
    with good.open("rb") as source, target.open("wb") as out:
        msoffcrypto.format.ooxml.OOXMLFile(source).encrypt("hemmelig", out)
    return target


def _too_many_rows(good: Path, target: Path) -> Path:
    workbook = openpyxl.load_workbook(good)
    workbook["Mål"]["A200000"] = "en celle langt nede"
    workbook.save(target)
    return target


def _bytes(data: bytes):
    def make(good: Path, target: Path) -> Path:
        target.write_bytes(data(good) if callable(data) else data)
        return target
    return make


BAD = {
    # name: (make, code, words the message must hold)
    "corrupt": (_bytes(lambda good: good.read_bytes()[:300]), "RG101", "beskadiget"),
    "not-zip": (_bytes(b"\x00\x01binary junk" * 50), "RG101", "ikke en Excel-arbejdsbog"),
    "csv": (_bytes("Tema;Resultatmål\nT;M\n".encode()), "RG101", "CSV"),
    # the header of an OLE2 compound file, as an .xls saved under a new name starts
    "xls": (_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 4088), "RG102", ".xls"),
    "encrypted": (_encrypted, "RG102", "adgangskode"),
    "no-goal-sheet": (lambda g, t: write_workbook(t, [], headers=("Navn", "Adresse")), "RG103",
                      "intet ark med mål"),
    "zip-bomb": (_zip_bomb, "RG106", "pakker sig ud"),
    "entity-bomb": (_entity_bomb, "RG105", "XML"),
    "too-many-rows": (_too_many_rows, "RG107", "200000"),
}


@pytest.fixture(scope="module", params=sorted(BAD))
def bad(request, good, tmp_path_factory) -> tuple[Path, str, str]:
    make, code, words = BAD[request.param]
    path = make(good, tmp_path_factory.mktemp(request.param) / "centre.xlsx")
    return path, code, words


def test_bad_file_gets_one_clear_error(bad):
    path, code, words = bad
    result = read_workbook(path)
    assert [(f.code, f.file) for f in result.errors] == [(code, "centre.xlsx")]
    assert words in result.errors[0].message


def test_bad_file_stops_the_build_and_leaves_outputs_untouched(bad, good, tmp_path,
                                                                monkeypatch):
    path, code, _ = bad
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["build", str(good), "-o", "out", "--name", "r"]).exit_code == 0
    before = {p.name: p.read_bytes() for p in Path("out").iterdir()}
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(good, folder / "a.xlsx")
    shutil.copy(path, folder / "centre.xlsx")
    result = runner.invoke(main, ["build", str(folder), "-o", "out", "--name", "r"])
    assert result.exit_code == 1
    assert f"{code} fejl: centre.xlsx" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert {p.name: p.read_bytes() for p in Path("out").iterdir()} == before


def test_xml_entities_in_a_workbook_part_are_refused_too(good, tmp_path):
    """Workbook-level parts go through lxml, which caps entity amplification."""
    bomb = BILLION_LAUGHS.split("]>")[0] + (
        ']><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="&lol9;" sheetId="1" r:id="rId1"/></sheets></workbook>')
    path = replace_entry(good, tmp_path / "w.xlsx", "xl/workbook.xml",
                         lambda stream: stream.write(bomb.encode()))
    assert [f.code for f in read_workbook(path).errors] == ["RG105"]


def test_declared_sizes_bound_the_check_itself(good, tmp_path):
    """The bomb is refused from the archive's directory: nothing is inflated."""
    bomb = _zip_bomb(good, tmp_path / "b.xlsx")
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo("xl/worksheets/sheet1.xml").file_size > 2**30
    assert bomb.stat().st_size < 10 * 2**20
