"""Cell values and colours that used to raise: each is shown sensibly or refused with a
Danish finding, never a traceback. The workbooks are built here; theme and styles parts
are patched in the zip, as no spreadsheet program writes them broken."""

from __future__ import annotations

import zipfile
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from openpyxl.styles import Color, PatternFill

from reportgen.model import Status
from reportgen.reader import read_workbook
from reportgen.reader.cells import colour_status, fill_rgb, id_text, shown_text, theme_colours

from .helpers import goal_row, patched, write_workbook

THEME = "xl/theme/theme1.xml"
THIRTY_DECIMALS = "0." + "0" * 30


@pytest.mark.parametrize(("value", "number_format", "shown"), [
    (10**18, "General", "1E+18"),
    (1.5e18, "General", "1,5E+18"),
    (-1.234567e18, "General", "-1,23457E+18"),
    (12345678901234567890123, "General", "1,23457E+22"),
    (1e300, "General", "1E+300"),
    (123456789012, "General", "123456789012"),  # below 10^15: as before
    (1.5, THIRTY_DECIMALS, "1," + "5" + "0" * 29),
    (0.25, THIRTY_DECIMALS + "%", "25," + "0" * 30 + "%"),
    (10**18, "0.00", "1000000000000000000,00"),
    (10**18, "#,##0", "1.000.000.000.000.000.000"),
    (1.5, "0." + "0" * 500, "1,5"),  # no format is that long: shown as General
])
def test_numbers_are_shown_as_excel_shows_them(value, number_format, shown):
    assert shown_text(value, number_format) == shown


@pytest.mark.parametrize(("value", "number_format", "shown"), [
    # digit placeholders and literal text: filled from the right, as Excel does
    (101901234, "000000-0000", "010190-1234"),  # a CPR number typed as a number
    (101901234, "000000\\-0000", "010190-1234"),
    (101901234, '000000"-"0000', "010190-1234"),
    (101901234, "000000 0000", "010190 1234"),
    (101901234.0, '"CPR "000000-0000', "CPR 010190-1234"),
    (101901234, "######-####", "10190-1234"),  # `#` shows no leading zero
    (1234, "###-####", "-1234"),
    (0, "###-####", "-"),
    (12345678901, "000000-0000", "1234567-8901"),  # more digits: all in the first place
    (1234.5, "000-0000", "000-1235"),  # rounded half away from zero
    (-1234, "000-0000", "-000-1234"),
    (101901234, "000000-0000;@", "010190-1234"),  # the first section, for a number
    (101901234, "0000000000", "0101901234"),  # digits only: Babel's, as before
    (101901234, "000000-0000_)", "101901234"),  # what is not read: General
    (10**15, "000000-0000", "1E+15"),  # past Excel's 15 digits: General
])
def test_digit_placeholders_and_literal_text_are_shown_as_excel_shows_them(value,
                                                                          number_format, shown):
    assert shown_text(value, number_format) == shown


def test_an_id_shows_its_placeholders_too():
    assert id_text(101901234, "000000-0000") == "010190-1234"
    assert id_text(3, "General") == "3" and id_text(1.1, "0.00") == "1.10"


def test_a_huge_number_and_thirty_decimals_are_read_from_a_workbook(tmp_path):
    path = write_workbook(tmp_path / "tal.xlsx", [goal_row(10**18, measure=1.5, comment=-2e18)])
    workbook = openpyxl.load_workbook(path)
    workbook["Mål"]["E2"].number_format = THIRTY_DECIMALS
    workbook["Mål"]["H2"].number_format = "0.00"
    workbook.save(path)
    result = read_workbook(path)
    assert result.errors == []
    (goal,) = result.report.goals()
    assert (goal.text, goal.measure, goal.comment) \
        == ("1E+18", "1," + "5" + "0" * 29, "-2000000000000000000,00")


@pytest.fixture(scope="module")
def theme_filled(tmp_path_factory) -> Path:
    """A goal whose Resultat cell is empty and filled with theme colour 6 (accent3, the
    default theme's green 9BBB59)."""
    path = write_workbook(tmp_path_factory.mktemp("tema") / "farve.xlsx",
                          [goal_row("Et mål", result=None)])
    workbook = openpyxl.load_workbook(path)
    workbook["Mål"]["F2"].fill = PatternFill("solid", fgColor=Color(theme=6))
    workbook.save(path)
    return path


def test_a_theme_coloured_status_is_read(theme_filled):
    (goal,) = read_workbook(theme_filled).report.goals()
    assert goal.result == (Status.GREEN,)


BROKEN_THEMES = {
    "not-well-formed": lambda data: data[:300],
    "entity": lambda data: data.replace(
        b'<?xml version="1.0"?>',
        b'<?xml version="1.0"?><!DOCTYPE a:theme [<!ENTITY e "Office">]>', 1)
        .replace(b'name="Office Theme"', b'name="&e;"', 1),
    "external-entity": lambda data: data.replace(
        b'<?xml version="1.0"?>',
        b'<?xml version="1.0"?><!DOCTYPE a:theme [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
        1).replace(b'name="Office Theme"', b'name="&e;"', 1),
    "not-hex": lambda data: data.replace(b'val="9BBB59"', b'val="ZZZZZZ"'),
    "three-digits": lambda data: data.replace(b'val="9BBB59"', b'val="9B5"'),
}


@pytest.mark.parametrize("kind", sorted(BROKEN_THEMES))
def test_a_broken_theme_gives_no_theme_colours_and_no_traceback(theme_filled, tmp_path, kind):
    """openpyxl keeps the theme part unread; without its colours the cell is uncoloured,
    so the goal is read as not reported, which names the cell."""
    path = patched(theme_filled, tmp_path / "farve.xlsx", THEME, BROKEN_THEMES[kind])
    result = read_workbook(path)
    assert [(f.code, f.cell) for f in result.errors] == [("RG205", "F2")]
    (goal,) = result.report.goals()
    assert goal.result == ()


def test_one_bad_theme_colour_leaves_the_others_in_their_places(theme_filled, tmp_path):
    path = patched(theme_filled, tmp_path / "farve.xlsx", THEME,
                   lambda data: data.replace(b'val="4F81BD"', b'val="FFF"'))  # accent1
    with zipfile.ZipFile(path) as archive:
        colours = theme_colours(archive.read(THEME))
    assert colours[4:7] == [None, "C0504D", "9BBB59"]
    (goal,) = read_workbook(path).report.goals()
    assert goal.result == (Status.GREEN,)


def test_a_bad_rgb_in_the_styles_is_a_finding(tmp_path):
    """openpyxl refuses a fill colour that is not hex while loading the styles: the file
    gets the Danish 'cannot be read' finding, and no traceback."""
    path = write_workbook(tmp_path / "source.xlsx", [goal_row("Et mål", result=None)])
    workbook = openpyxl.load_workbook(path)
    workbook["Mål"]["F2"].fill = PatternFill("solid", fgColor="00B050")
    workbook.save(path)
    bad = patched(path, tmp_path / "fyld.xlsx", "xl/styles.xml",
                  lambda data: data.replace(b'rgb="0000B050"', b'rgb="FFF"'))
    (finding,) = read_workbook(bad).errors
    assert finding.code == "RG101"
    assert "Åbn den i Excel" in finding.message


def _cell(colour) -> SimpleNamespace:
    return SimpleNamespace(fill=SimpleNamespace(fill_type="solid", fgColor=colour))


@pytest.mark.parametrize(("colour", "rgb"), [
    (SimpleNamespace(type="rgb", rgb="FF00B050"), "00B050"),
    (SimpleNamespace(type="rgb", rgb="FFF"), None),
    (SimpleNamespace(type="rgb", rgb="ZZZZZZ"), None),
    (SimpleNamespace(type="indexed", indexed=-1), None),
    (SimpleNamespace(type="theme", theme=0, tint=0.0), None),  # a bad theme slot
    (SimpleNamespace(type="theme", theme=1, tint=float("nan")), None),
    (SimpleNamespace(type="theme", theme=1, tint=5.0), "FFFFFF"),  # clamped to 1
])
def test_fill_colours_of_any_shape_give_rrggbb_or_none(colour, rgb):
    assert fill_rgb(_cell(colour), [None, "9BBB59"]) == rgb


@pytest.mark.parametrize("rgb", ["FFF", "ZZZZZZ", "", "GG0000"])
def test_a_colour_that_is_not_rrggbb_has_no_status(rgb):
    assert colour_status(rgb) is None
