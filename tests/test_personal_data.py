"""Personal data in the texts: CPR numbers, e-mail addresses and phone numbers found, and
look-alikes left alone (the verdicts, without the documents)."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import zipfile

import pikepdf
import pytest
from click.testing import CliRunner

from reportgen.cli import main
from reportgen.commands.build import build
from reportgen.design import DEFAULT_TEMPLATES
from reportgen.errors import ReportgenError
from reportgen.model import Severity
from reportgen.personal_data import (
    CPR,
    EMAIL,
    PHONE,
    cpr_numbers,
    find,
    masked,
    new_cpr_number,
)
from reportgen.round import Round
from reportgen.writers import RenderOptions, published_text

from .helpers import ROOT, docx_text, goal_row, pdf_text, write_workbook

TODAY = dt.date(2026, 12, 1)


def _modulus_11(digits: str) -> bool:
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


# 1 January 1980: 010180-0008 passes modulus 11, 010180-1234 does not (issued since 2007).
assert _modulus_11("0101800008") and not _modulus_11("0101801234")


@pytest.mark.parametrize(("text", "expected"), [
    # CPR numbers: errors, with or without modulus 11, any separator
    ("Borgeren 010180-0008 har klaget", [(CPR, "0101XX-XXXX", True)]),
    ("Borgeren 010180-1234 har klaget", [(CPR, "0101XX-XXXX", False)]),
    ("cpr-nr. 010180-1234", [(CPR, "0101XX-XXXX", True)]),
    ("personnummer: 0101801234", [(CPR, "0101XX-XXXX", True)]),
    ("010180 1234", [(CPR, "0101XX-XXXX", False)]),
    ("0101801234", [(CPR, "0101XX-XXXX", False)]),
    ("010180/1234 og 010180.1234", [(CPR, "0101XX-XXXX", False)] * 2),
    ("010180–1234 (tankestreg fra Word)", [(CPR, "0101XX-XXXX", False)]),
    ("erstatningsnummer 610180-1234", [(CPR, "6101XX-XXXX", True)]),
    ("290200-4234", [(CPR, "2902XX-XXXX", False)]),  # 29 February 2000 (digit 7 = 4)
    ("(311299-5123)", [(CPR, "3112XX-XXXX", False)]),  # 1899 by the century table
    # e-mail addresses and phone numbers: warnings
    ("Skriv til lotte.f@naestved.dk", [(EMAIL, "l…@…dk", True)]),
    ("ring 12 34 56 78", [(PHONE, "12 XX XX XX", True)]),
    ("tlf. 12345678", [(PHONE, "12 XX XX XX", True)]),
    ("tlf. 5588 6600", [(PHONE, "55 XX XX XX", True)]),
    ("+45 22 33 44 55", [(PHONE, "22 XX XX XX", True)]),
    ("0045 22334455", [(PHONE, "22 XX XX XX", True)]),
    ("+4522334455", [(PHONE, "22 XX XX XX", True)]),
    ("12-34-56-78", [(PHONE, "12 XX XX XX", True)]),
    # look-alikes
    ("320199-1234", []),  # no 32nd
    ("311399-1234", []),  # no 13th month
    ("010130-4123", []),  # 2030 by the century table: not born yet
    ("290201-1234", []),  # 2001 had no 29 February
    ("konto 123456789012", []),
    ("reg. 1234 konto 5678901234", []),  # ten digits, but day 56
    ("00.01.00-A00-55-18", []),
    ("2.500.000 kr.", []),
    ("15.01.2019", []),
    ("kl. 8-16", []),
    ("4.2.3", []),
    ("Strategiplan 2018-2022", []),
    ("fra 2018 2022", []),
    ("1.234.567,89 kr.", []),
    ("--accept RG602@centret.xlsx:Mål!H3", []),  # a file, not a domain
    ("RG602@c:\\fælles\\forrige.json", []),
])
def test_verdicts(text, expected):
    assert [(hit.kind, hit.masked, hit.certain) for hit in find(text, TODAY)] == expected


# What a person reads as a CPR number, whatever stands between its two parts, and what is
# left alone. The README's table under *Personal data* lists the same texts (written there
# with `\n` for a line break and `\u200b` for a zero-width space): see
# test_the_readmes_table_is_this_table.
SPELLINGS = [
    # (text, caught as a CPR number)
    ("010190-1234", True),
    ("0101901234", True),
    ("010190 1234", True),
    ("010190/1234", True),
    ("010190\n1234", True),              # a line break (Alt+Enter), or a narrow column
    ("010190-\n1234", True),
    ("010190 - 1234", True),
    ("010190 – 1234", True),             # an en dash, as Word makes it
    ("010190\u22121234", True),          # a minus sign
    ("010190\u200b1234", True),          # a zero-width space, pasted from a web page
    ("010190\u00ad1234", True),          # a soft hyphen
    ("010190\u00a0\u2015\u00a01234", True),  # no-break spaces around a horizontal bar
    ("00.01.00-A00-55-18", False),       # a case number
    ("15.01.2019", False),               # a date
    ("1.234.567", False),                # amounts
    ("12 345 678,90", False),
    ("5790001234567", False),            # an EAN number (13 digits)
    ("12 34 56 78", False),              # a phone number (RG603)
    ("2018-2022", False),                # a span of years
    ("320190-1234", False),              # no 32nd day
    ("010190 12345", False),             # five digits after the six
]


@pytest.mark.parametrize(("text", "caught"), SPELLINGS)
def test_a_cpr_number_is_caught_whatever_separates_its_parts(text, caught):
    hits = [hit for hit in find(f"Sagen: {text}.", TODAY) if hit.kind == CPR]
    if not caught:
        assert hits == []
        return
    assert [(hit.masked, hit.certain) for hit in hits] == [("0101XX-XXXX", False)]
    assert f"Sagen: {text}."[hits[0].start:hits[0].end] == text  # the whole of it, masked
    assert masked(f"Sagen: {text}.", TODAY) == "Sagen: 0101XX-XXXX."
    # the guard's look at a finished document: a CPR number no cell held
    assert new_cpr_number(f"Side 2\n{text}\nSide 3", set(), TODAY) is not None
    # ... and one a cell held, however the document wraps or spells it
    assert new_cpr_number(f"Side 2\n{text}\nSide 3", cpr_numbers(["0101901234"], TODAY),
                          TODAY) is None


def test_a_word_before_makes_any_spelling_certain():
    hits = find("CPR-nr.: 010190 -\n1234", TODAY)
    assert [(hit.kind, hit.masked, hit.certain) for hit in hits] == [(CPR, "0101XX-XXXX", True)]


def test_every_invisible_format_character_may_separate_the_parts():
    """Unicode's format characters (category Cf) are listed in personal_data by hand, for
    speed: every one this Python knows is among them."""
    import sys
    import unicodedata

    listed = [chr(code) for code in range(sys.maxunicode + 1)
              if unicodedata.category(chr(code)) == "Cf"]
    assert listed
    assert [char for char in listed
            if not any(hit.kind == CPR for hit in find(f"010190{char}1234", TODAY))] == []


def test_the_readmes_table_is_this_table():
    """The README's table of texts caught and left alone: the same texts as SPELLINGS, with
    the same verdicts, and the code agrees with each."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("| caught as a CPR number (RG601) | left alone |"):]
    table = table[:table.index("\n\n")].splitlines()[2:]
    listed = []
    for line in table:
        for cell, caught in zip(line.strip("|").split("|"), (True, False), strict=True):
            sample = re.search(r"`([^`]+)`", cell)
            if sample:
                text = re.sub(r"\\(n|u[0-9a-f]{4})", lambda m: "\n" if m[1] == "n"
                              else chr(int(m[1][1:], 16)), sample[1])
                listed.append((text, caught))
    assert sorted(listed) == sorted(SPELLINGS)
    for text, caught in listed:
        assert any(hit.kind == CPR for hit in find(text, TODAY)) is caught, text


def test_a_hit_is_where_the_number_is_and_the_mask_never_holds_it():
    text = "Sagen om 010180-1234 og mail a@b.dk, tlf. 22 33 44 55."
    hits = find(text, TODAY)
    assert [text[h.start:h.end] for h in hits] == ["010180-1234", "a@b.dk", "22 33 44 55"]
    assert not any(text[h.start:h.end] in h.masked for h in hits)
    assert masked(text, TODAY) == "Sagen om 0101XX-XXXX og mail a@b.dk, tlf. 22 33 44 55."


def test_the_future_is_today():
    assert find("010126-4123", dt.date(2025, 12, 31)) == []
    assert [h.kind for h in find("010126-4123", dt.date(2026, 1, 1))] == [CPR]


# -- accepting a finding, one cell at a time ----------------------------------------

def test_an_acceptance_names_one_code_in_one_cell():
    from reportgen.checks.acceptance import Acceptance, parse

    assert parse("RG601@Mål!J7") == Acceptance("RG601", None, "Mål", "J7")
    assert parse(" RG602@c:\\fælles\\a.xlsx:Mål (2)!$h$12 ") \
        == Acceptance("RG602", "c:\\fælles\\a.xlsx", "Mål (2)", "H12")


@pytest.mark.parametrize("text", ["RG601", "RG601@J7", "RG601@Mål!7", "RG202@Mål!J7",
                                  "rg601@Mål!J7", "RG601@Mål!J0"])
def test_anything_else_is_refused(text):
    from reportgen.checks.acceptance import parse
    from reportgen.errors import ReportgenError

    with pytest.raises(ReportgenError) as raised:
        parse(text)
    assert raised.value.code == "RG005"


def test_an_acceptance_marks_its_finding_and_no_other():
    from reportgen.checks.acceptance import accepted, apply, parse
    from reportgen.model import Finding, Severity

    found = [Finding("RG601", Severity.ERROR, "CPR", "a.xlsx", "Mål", "J7"),
             Finding("RG601", Severity.ERROR, "CPR", "a.xlsx", "Mål", "J8"),
             Finding("RG601", Severity.ERROR, "CPR", "b.xlsx", "Mål", "J7")]
    out = apply(found, [parse("RG601@a.xlsx:Mål!J7"), parse("RG601@Mål!K9")])
    assert [(f.file, f.cell, f.severity) for f in out[:3]] == [
        ("a.xlsx", "J7", Severity.NOTICE), ("a.xlsx", "J8", Severity.ERROR),
        ("b.xlsx", "J7", Severity.ERROR)]
    assert accepted(out) == 1 and out[0].message.startswith("Godkendt med --accept")
    assert [(f.code, f.severity) for f in out[3:]] == [("RG605", Severity.WARNING)]
    assert "RG601@Mål!K9" in out[3].message


# -- in the commands and the documents ------------------------------------------------

CPR_TEXT = "Borgeren 010180-1234 har klaget"


@pytest.fixture
def with_cpr(tmp_path):
    rows = [goal_row("Et mål uden personoplysninger"),
            goal_row(CPR_TEXT, "gul", comment="Ring 22 33 44 55 eller skriv til l.f@x.dk")]
    return write_workbook(tmp_path / "centret.xlsx", rows,
                          meta=[("Titel", "Opfølgning"), ("Indledning", "Sag 0101800008.")])


def _cli(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_a_cpr_number_stops_a_final_build_and_is_never_echoed(with_cpr, tmp_path):
    sheet = tmp_path / "fund.xlsx"
    result = _cli("check", str(with_cpr), "--findings", str(tmp_path / "fund.csv"))
    built = _cli("build", str(with_cpr), "-o", str(tmp_path / "out"), "--format", "docx",
                 "--findings", str(sheet))
    assert result.exit_code == built.exit_code == 1
    assert not (tmp_path / "out" / "centret.docx").exists()
    codes = [(line.split()[0], line.split("›")[-1].split(":")[0].strip())
             for line in result.output.splitlines() if line.startswith("RG6")]
    assert sorted(codes) == [("RG601", "B2"), ("RG601", "D3"), ("RG602", "H3"), ("RG603", "H3")]
    assert "0101XX-XXXX" in result.output and "22 XX XX XX" in result.output
    raw = [result.output.encode(), built.output.encode(), (tmp_path / "fund.csv").read_bytes()]
    with zipfile.ZipFile(sheet) as archive:
        raw += [archive.read(name) for name in archive.namelist()]
    for data in raw:
        for secret in (b"010180", b"0101800008", b"1234", b"22 33 44 55", b"l.f@x.dk"):
            assert secret not in data


def test_an_accepted_cell_lets_the_build_through_and_is_listed(with_cpr, tmp_path):
    out, sheet = tmp_path / "out", tmp_path / "fund.csv"
    other = _cli("build", str(with_cpr), "-o", str(out), "--format", "docx",
                 "--accept", "RG601@Mål!D2", "--accept", "RG601@Rapport!B2")
    assert other.exit_code == 1 and not out.exists()
    assert "Godkendelsen »RG601@Mål!D2« passer ikke på noget fund" in other.output
    (tmp_path / "godkendt.txt").write_text("# kontrolleret af sekretariatet\nRG601@Mål!D3\n")
    built = _cli("build", str(with_cpr), "-o", str(out), "--format", "docx",
                 "--accept", "RG601@centret.xlsx:Rapport!B2",
                 "--accept-file", str(tmp_path / "godkendt.txt"), "--findings", str(sheet))
    assert built.exit_code == 0, built.output
    assert "2 fund godkendt med --accept" in built.output
    listed = sheet.read_text(encoding="utf-8-sig")
    assert listed.count("Godkendt med --accept") == 2
    text = docx_text((out / "centret.docx").read_bytes())
    assert CPR_TEXT in text and "0101800008" in text  # accepted: not personal data


def test_a_draft_shows_a_cpr_number_masked(with_cpr, tmp_path):
    outcome = build(Round([with_cpr]), tmp_path / "out", ("docx",), RenderOptions(draft=True))
    assert not outcome.errors
    assert [f.severity for f in outcome.findings if f.code == "RG601"] == [Severity.WARNING] * 2
    text = docx_text(outcome.written[0].read_bytes())
    assert "Borgeren 0101XX-XXXX har klaget" in text and "Sag 0101XX-XXXX." in text
    assert "010180" not in text


def test_a_cpr_number_a_template_prints_stops_the_build_before_writing(tmp_path):
    templates = tmp_path / "skabeloner"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    page = templates / "report.html.j2"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", "<p>Kontakt: 010180-1234</p></body>"), encoding="utf-8")
    source = write_workbook(tmp_path / "a.xlsx", [goal_row("Et mål")])
    with pytest.raises(ReportgenError) as raised:
        build(Round([source]), tmp_path / "out", ("html", "docx"),
              RenderOptions(templates=templates))
    assert raised.value.code == "RG604" and "0101XX-XXXX" in raised.value.message
    assert "010180-1234" not in str(raised.value) and not (tmp_path / "out").exists()
    # the same page, a draft: not published, so not stopped
    build(Round([source]), tmp_path / "kladde", ("html",),
          RenderOptions(templates=templates,
                                                                    draft=True))


def test_a_cpr_number_over_two_lines_or_with_a_hidden_space_is_found_in_its_cell(tmp_path):
    """The cell check, and a draft's documents: the number found, and shown masked."""
    rows = [goal_row("Borgeren 010190-\n1234 har klaget", measure="Sag 010190 - 1234",
                     comment="Kopieret: 010190\u200b1234", result="gul")]
    source = write_workbook(tmp_path / "a.xlsx", rows)
    outcome = build(Round([source]), tmp_path / "out", ("pdf", "docx"), RenderOptions(draft=True))
    assert [(f.code, f.cell, f.message.split(" Er det")[0]) for f in outcome.findings
            if f.code == "RG601"] == [
        ("RG601", cell, "Cellen" + (' (målet »Borgeren 0101XX-XXXX har klaget«)'
                                    if cell != "D2" else "")
         + " indeholder noget, der ligner et CPR-nummer (0101XX-XXXX), som ikke må "
         "offentliggøres. Slet nummeret.") for cell in ("D2", "E2", "H2")]
    pdf_data, docx_data = (path.read_bytes() for path in outcome.written)
    for text in (pdf_text(pdf_data), docx_text(docx_data)):
        words = " ".join(text.split())  # however the PDF wraps its lines
        assert "Borgeren 0101XX-XXXX har klaget" in words
        assert "Sag 0101XX-XXXX" in words and "Kopieret: 0101XX-XXXX" in words
        assert "010190" not in text


@pytest.mark.parametrize("printed", ["010190-<br>1234", "010190 - 1234", "010190&#8203;1234",
                                     "010190&#8209;\n1234"])
def test_a_cpr_number_a_template_spells_otherwise_stops_the_build_too(printed, tmp_path):
    templates = tmp_path / "skabeloner"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    page = templates / "report.html.j2"
    page.write_text(page.read_text(encoding="utf-8").replace(
        "</body>", f"<p>Kontakt: {printed}</p></body>"), encoding="utf-8")
    source = write_workbook(tmp_path / "a.xlsx", [goal_row("Et mål")])
    with pytest.raises(ReportgenError) as raised:
        build(Round([source]), tmp_path / "out", ("html",), RenderOptions(templates=templates))
    assert raised.value.code == "RG604" and "CPR-nummer (0101XX-XXXX)" in raised.value.message
    assert not (tmp_path / "out").exists()


def test_two_cells_side_by_side_are_not_read_as_one_number(tmp_path):
    """Six digits that end one cell and four that begin the next (a date, a year) are two
    texts to a reader, in the cells and in the finished documents: the guard reads each
    paragraph, each table cell, on its own, joining only what a line break parts in one."""
    rows = [goal_row("Sag 150190", "gul", comment="2019 kom der en forsinkelse",
                     measure="2019 blev det bedre", centre="2020"),
            goal_row("1234 mål", theme="Tema 150190", area="Vision 150190",
                     effect="Effekt 150190")]
    source = write_workbook(tmp_path / "a.xlsx", rows)
    outcome = build(Round([source]), tmp_path / "out", ("pdf", "docx", "html", "json"))
    assert [f.code for f in outcome.findings if f.code.startswith("RG6")] == []
    assert len(outcome.written) == 4
    assert "Sag 150190" in docx_text(outcome.written[1].read_bytes())


# -- a CPR number typed as a number ----------------------------------------------------------

NUMBER_FOUND = ("Cellen (målet »Et mål«) indeholder noget, der ligner et CPR-nummer "
                "(0101XX-XXXX), som ikke må offentliggøres. Slet nummeret.{more} Er det ikke "
                "personoplysninger, så godkend fundet med --accept RG601@Mål!H2.")
NINE_DIGITS = (" Cellen er et tal på ni cifre; et CPR-nummer, der er skrevet som et tal, "
               "mister sit første nul.")


def _typed_as_a_number(path, number_format: str):
    """A workbook whose comment cell is the number 101901234 in `number_format`."""
    import openpyxl

    write_workbook(path, [goal_row("Et mål", "gul", comment=101901234)])
    workbook = openpyxl.load_workbook(path)
    workbook["Mål"]["H2"].number_format = number_format
    workbook.save(path)
    return path


@pytest.mark.parametrize(("number_format", "shown", "more"), [
    ("000000-0000", "010190-1234", ""),      # Excel shows 010190-1234: so does the report
    ('000000" "0000', "010190 1234", ""),
    ("0000000000", "0101901234", ""),
    ("0000000000_)", "101901234", NINE_DIGITS),  # a format not read, but ten digits shown
    ("General", "101901234", None),          # nine digits shown: not a CPR number
])
def test_a_cpr_number_typed_as_a_number_is_found_as_excel_shows_it(number_format, shown, more,
                                                                   tmp_path):
    source = _typed_as_a_number(tmp_path / "a.xlsx", number_format)
    result = _cli("check", str(source))
    findings = [line.split(": ", 2)[-1] for line in result.output.splitlines()
                if line.startswith("RG601")]
    assert findings == ([] if more is None else [NUMBER_FOUND.format(more=more)])
    if more is None:
        return
    assert result.exit_code == 1 and "010190" not in result.output
    outcome = build(Round([source]), tmp_path / "out", ("docx", "json"),
                    RenderOptions(draft=True))
    docx_data, json_data = (path.read_bytes() for path in outcome.written)
    assert "Kommentar: 0101XX-XXXX" in docx_text(docx_data)
    assert b'"comment": "0101XX-XXXX"' in json_data
    assert shown not in docx_text(docx_data) and b"1019" not in json_data


# -- a CPR number in a file's or a sheet's name ---------------------------------------------

NAMED = ("noget, der ligner et CPR-nummer (0101XX-XXXX), som ikke må offentliggøres: {it} "
         "står i rapportens JSON-fil{more}. {do}, så nummeret ikke står i navnet; et navn kan "
         "ikke godkendes med --accept.")
FILE_NAMED = "Filnavnet indeholder " + NAMED.format(
    it="det", more=" og kan blive rapportens eget filnavn", do="Omdøb filen")
SHEET_NAMED = "Arkets navn indeholder " + NAMED.format(
    it="det", more="", do="Omdøb arket (højreklik på fanen, og vælg Omdøb)")


@pytest.mark.parametrize(("file", "sheet", "place", "message"), [
    ("Notat 010190-1234.xlsx", "Mål", "Notat 0101XX-XXXX.xlsx", FILE_NAMED),
    ("b.xlsx", "Mål 010190-1234", "b.xlsx › Mål 0101XX-XXXX", SHEET_NAMED),
])
def test_a_cpr_number_in_a_file_or_sheet_name_stops_check_and_build(file, sheet, place,
                                                                    message, tmp_path):
    """Found by the reader, as a cell's is: `check` fails with it, and `build` stops there,
    before the documents are made (not at the guard, RG604, blaming the templates). The
    name is printed masked wherever a finding or the summary names the file."""
    source = write_workbook(tmp_path / "ind" / file, [goal_row("Et mål")], sheet=sheet)
    findings = tmp_path / "fund.csv"
    checked = _cli("check", str(source.parent), "--findings", str(findings))
    built = _cli("build", str(source.parent), "-o", str(tmp_path / "ud"),
                 "--format", "pdf,docx,json")
    assert checked.exit_code == built.exit_code == 1
    for result in (checked, built):
        said = [line for line in result.output.splitlines() if line.startswith("RG6")]
        assert said == [f"RG601 fejl: {place}: {message}"]
        assert "RG604" not in result.output and str(DEFAULT_TEMPLATES) not in result.output
    assert not (tmp_path / "ud").exists()
    assert "Læst 1 mål fra 1 arbejdsbog (" + place.split(" › ")[0] + ": 1)" in checked.output
    for text in (checked.output, built.output, findings.read_text(encoding="utf-8-sig")):
        assert "010190" not in text


def test_a_draft_of_a_workbook_named_with_a_cpr_number_shows_it_masked(tmp_path):
    source = write_workbook(tmp_path / "ind" / "Notat 010190-1234.xlsx", [goal_row("Et mål")],
                            sheet="Mål 020190-1234")
    outcome = build(Round([source]), tmp_path / "ud", ("pdf", "docx", "json"),
                    RenderOptions(draft=True))
    assert [(f.code, f.severity, f.where) for f in outcome.findings if f.code == "RG601"] == [
        ("RG601", Severity.WARNING, "Notat 0101XX-XXXX.xlsx"),
        ("RG601", Severity.WARNING, "Notat 0101XX-XXXX.xlsx › Mål 0201XX-XXXX")]
    assert [path.name for path in outcome.written] == [
        f"Notat-0101XX-XXXX-kladde.{fmt}" for fmt in ("pdf", "docx", "json")]
    pdf_data, docx_data, json_data = (path.read_bytes() for path in outcome.written)
    assert b'"file": "Notat 0101XX-XXXX.xlsx"' in json_data
    assert b'"sheet": "M\xc3\xa5l 0201XX-XXXX"' in json_data
    for text in (pdf_text(pdf_data), docx_text(docx_data), published_text("docx", docx_data),
                 json_data.decode()):
        assert "Et mål" in text and "0190" not in text


def test_a_previous_follow_up_named_with_a_cpr_number_is_shown_masked(tmp_path):
    """The earlier follow-up's names stop nothing (as its cells do not): the goals gone,
    which the JSON lists with where they were read, show them masked."""
    previous = write_workbook(tmp_path / "forrige" / "Notat 010190-1234.xlsx",
                              [goal_row("Et mål"), goal_row("Et mål, der er væk")],
                              sheet="Mål 020190-1234")
    current = write_workbook(tmp_path / "nu" / "nu.xlsx", [goal_row("Et mål")])
    outcome = build(Round([current], previous=previous), tmp_path / "ud", ("docx", "json"))
    assert [(f.code, f.severity, f.where) for f in outcome.findings if f.code == "RG601"] == [
        ("RG601", Severity.WARNING, "Notat 0101XX-XXXX.xlsx (forrige opfølgning)"),
        ("RG601", Severity.WARNING,
         "Notat 0101XX-XXXX.xlsx (forrige opfølgning) › Mål 0201XX-XXXX")]
    docx_data, json_data = (path.read_bytes() for path in outcome.written)
    assert "Et mål, der er væk" in docx_text(docx_data)
    assert b'"file": "Notat 0101XX-XXXX.xlsx"' in json_data and b"0190" not in json_data


def test_the_finished_documents_hold_no_cpr_number(tmp_path):
    """A draft of a workbook with CPR numbers in a goal, the intro and the title: the
    text extracted from its PDF and DOCX, and their metadata, hold none of them."""
    source = write_workbook(tmp_path / "a.xlsx", [goal_row(CPR_TEXT, measure="0101801234")],
                            meta=[("Titel", "Klage fra 010180-1234"),
                                  ("Sagsnr.", "00.01.00-A00-55-18"), ("Dato", "15.01.2019"),
                                  ("Indledning", "CPR 010180 1234 i indledningen.")])
    outcome = build(Round([source]), tmp_path / "out", ("pdf", "docx"), RenderOptions(draft=True))
    pdf_data, docx_data = (path.read_bytes() for path in outcome.written)
    with pikepdf.open(io.BytesIO(pdf_data)) as pdf:
        metadata = " ".join(str(value) for _, value in pdf.docinfo.items())
        metadata += str(pdf.open_metadata())
    texts = (pdf_text(pdf_data), metadata, docx_text(docx_data),
             published_text("docx", docx_data))
    assert all("Klage fra 0101XX-XXXX" in text for text in texts[1:])
    assert "00.01.00-A00-55-18" in texts[0]
    for text in texts:  # the PDF's date stamp, D:20190115, is eight digits: not a CPR number
        assert [hit.kind for hit in find(text, TODAY) if hit.kind == CPR] == []


def test_the_goals_not_reported_are_listed_masked(tmp_path):
    """A goal without an Id is named in the list of goals not reported by its text: the
    command's lines, the findings sheet's `Indberetning` (.xlsx and .csv) show it with its
    personal data masked, as a finding quotes a cell; masked before it is cut short, so
    no part of a number is left."""
    source = write_workbook(tmp_path / "centret.xlsx", [
        goal_row(CPR_TEXT, result=None),
        goal_row("Ring 22 33 44 55 eller skriv til l.f@x.dk", timeline=None),
        goal_row("Et langt mål om borgeren, hvis nummer er 0101801234", result=None)])
    checked = _cli("check", str(source), "--findings", str(tmp_path / "fund.csv"))
    built = _cli("build", str(source), "-o", str(tmp_path / "out"), "--format", "docx",
                 "--findings", str(tmp_path / "fund.xlsx"))
    assert checked.exit_code == built.exit_code == 1
    for result in (checked, built):
        (line,) = [line for line in result.output.splitlines() if "mål indberettet" in line]
        assert line == ("  CPU/BGE: 0 af 3 mål indberettet (mangler »Borgeren 0101XX-XXXX har "
                        "klag…«, »Ring 22 XX XX XX eller skriv …«, »Et langt mål om borgeren, "
                        "hvi…«)"), line
    listed = (tmp_path / "fund-indberetning.csv").read_text(encoding="utf-8-sig")
    assert "»Borgeren 0101XX-XXXX har klag…«" in listed
    with zipfile.ZipFile(tmp_path / "fund.xlsx") as archive:
        raw = [archive.read(name) for name in archive.namelist()]
        assert any(b"Borgeren 0101XX-XXXX" in data for data in raw)
    raw += [checked.output.encode(), built.output.encode(), listed.encode()]
    for data in raw:
        for secret in (b"010180", b"1234", b"22 33 44 55", b"l.f@x", b"0101801"):
            assert secret not in data


def test_the_centres_statuses_mask_what_they_quote():
    from reportgen.round.progress import CentreStatus

    status = CentreStatus("CPU/BGE", 2, 0, ("1.2", "»Skriv til l.f@x.dk«"))
    assert status.missing == ("1.2", "»Skriv til l…@…dk«")
    assert "l.f@x.dk" not in status.line


# -- an acceptance is for one cell of one file ----------------------------------------

NOT_A_CPR = "Bevilling 010180-1234 fra fonden"  # a grant's number, not a person's
REAL_CPR = "Borgeren 020280-1234 har klaget"


@pytest.fixture
def two_centres(tmp_path):
    """Two centres' workbooks, each with a sheet `Mål` and a CPR-like number in its D2: in
    one it is not personal data, in the other it is; a third with its goals on another
    sheet."""
    return [write_workbook(tmp_path / "ind" / "a.xlsx", [goal_row(NOT_A_CPR)]),
            write_workbook(tmp_path / "ind" / "b.xlsx", [goal_row(REAL_CPR, centre="CSA/XYZ")]),
            write_workbook(tmp_path / "ind" / "c.xlsx", [goal_row("Tlf. 22 33 44 55",
                                                                  centre="CKF/ABC")],
                           sheet="Mål 2019")]


def _suggested(output: str) -> dict[str, str]:
    """{file › sheet › cell: the acceptance the finding there suggests}."""
    return {line.split(": ")[1]: line.rsplit("--accept ", 1)[1].rstrip(".")
            for line in output.splitlines() if "--accept RG" in line}


def test_the_suggested_acceptance_names_the_file_where_another_input_has_the_sheet(
        two_centres):
    a, b, c = two_centres
    together = _cli("check", str(a), str(b), str(c))
    assert _suggested(together.output) == {
        "a.xlsx › Mål › D2": "RG601@a.xlsx:Mål!D2", "b.xlsx › Mål › D2": "RG601@b.xlsx:Mål!D2",
        "c.xlsx › Mål 2019 › D2": "RG603@Mål 2019!D2"}
    assert _suggested(_cli("check", str(a)).output) == {"a.xlsx › Mål › D2": "RG601@Mål!D2"}


def test_an_acceptance_without_a_file_that_fits_two_files_is_refused(two_centres, tmp_path):
    """`RG601@Mål!D2` fits a.xlsx's grant number and b.xlsx's citizen: accepted in both,
    it would publish the citizen's number. It is refused, naming both files, and nothing
    is written: neither the report nor the findings."""
    a, b, _ = two_centres
    out, sheet = tmp_path / "ud", tmp_path / "fund.xlsx"
    for command in (["build", "-o", str(out), "--format", "docx,json"], ["check"]):
        result = _cli(*command, str(a), str(b), "--accept", "RG601@Mål!D2",
                      "--findings", str(sheet))
        assert result.exit_code == 2, result.output
        assert result.stderr.splitlines()[-1].startswith(
            "RG005 fejl: Godkendelsen »RG601@Mål!D2« passer på fund i flere filer: »a.xlsx« og "
            "»b.xlsx«. Skriv filen med, fx »RG601@a.xlsx:Mål!D2«"), result.stderr
        assert "Godkendt" not in result.output and "020280" not in result.output
        assert not out.exists() and not sheet.exists()
    # with the file named, a.xlsx's is accepted and b.xlsx's citizen still stops the build
    named = _cli("build", "-o", str(out), "--format", "docx", str(a), str(b),
                 "--accept", "RG601@a.xlsx:Mål!D2")
    assert named.exit_code == 1 and not out.exists()
    assert "RG601 fejl: b.xlsx › Mål › D2" in named.output
    assert "RG601 bemærkning: a.xlsx › Mål › D2: Godkendt med --accept" in named.output


def test_an_acceptance_refused_in_the_library_names_every_file():
    from reportgen.checks.acceptance import apply, parse
    from reportgen.model import Finding

    found = [Finding("RG601", Severity.ERROR, "CPR", name, "Mål", "D2")
             for name in ("a.xlsx", "b.xlsx", "c.xlsx")]
    with pytest.raises(ReportgenError) as raised:
        apply(found, [parse("RG601@mål!d2")])
    assert raised.value.code == "RG005"
    assert "»a.xlsx«, »b.xlsx« og »c.xlsx«" in raised.value.message
    # one file, two hits in the cell: one cell, accepted
    two_hits = [Finding("RG601", Severity.ERROR, "CPR", "a.xlsx", "Mål", "D2")] * 2
    assert [f.severity for f in apply(two_hits, [parse("RG601@Mål!D2")])] == \
        [Severity.NOTICE] * 2


# -- the guard reads the PDF as it is published ---------------------------------------

def test_a_cpr_number_only_the_finished_pdf_shows_stops_the_build(tmp_path):
    """A template's CSS may write text the HTML does not hold as text (a CSS escape, `\\30`
    for 0): the PDF shows the number, and it is the PDF that is guarded."""
    templates = tmp_path / "skabeloner"
    shutil.copytree(DEFAULT_TEMPLATES, templates)
    css = templates / "report.css"
    css.write_text(css.read_text(encoding="utf-8")
                   + '\nbody::after { content: "Kontakt: \\30 10180-1234"; }\n',
                   encoding="utf-8")
    source = write_workbook(tmp_path / "a.xlsx", [goal_row("Et mål")])
    result = _cli("build", str(source), "-o", str(tmp_path / "out"), "--format", "pdf,docx",
                  "--templates", str(templates), "--no-cache", "-q")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("RG604 fejl: Den færdige PDF indeholder et CPR-nummer "
                                    "(0101XX-XXXX)"), result.stderr
    assert "010180" not in result.output and not (tmp_path / "out").exists()
    # a draft is not published: built, and the PDF shows what the template wrote
    draft = build(Round([source]), tmp_path / "kladde", ("pdf",),
                  RenderOptions(templates=templates, draft=True))
    assert "Kontakt: 010180-1234" in published_text("pdf", draft.written[0].read_bytes())


def test_a_pdf_part_from_the_cache_is_guarded_as_it_is_published(tmp_path, monkeypatch):
    """A part of the PDF taken from the cache of laid-out parts is not made from this
    build's HTML: one that holds a CPR number (a stale or altered entry) stops the build."""
    from reportgen.commands.check import check
    from reportgen.writers.pdf import pdf_html
    from reportgen.writers.pdf.cache import PartCache, default_folder
    from reportgen.writers.pdf.engine import render_part

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    clean = write_workbook(tmp_path / "ren" / "a.xlsx", [goal_row("Et mål uden numre")])
    dirty = write_workbook(tmp_path / "cpr" / "a.xlsx", [goal_row(CPR_TEXT)])
    options = RenderOptions()
    htmls = [pdf_html(check(Round([path]))[0].report, options) for path in (clean, dirty)]
    part = render_part(htmls[1], options.templates, options.pdf_variant, True)
    PartCache.open(default_folder(), options.templates).put(
        htmls[0], options.pdf_variant, True, None, part)
    result = _cli("build", str(clean), "-o", str(tmp_path / "out"), "--format", "pdf", "-q")
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("RG604 fejl: Den færdige PDF indeholder et CPR-nummer "
                                    "(0101XX-XXXX)"), result.stderr
    assert "--no-cache" in result.stderr and not (tmp_path / "out").exists()
    built = _cli("build", str(clean), "-o", str(tmp_path / "out"), "--format", "pdf", "-q",
                 "--no-cache")
    assert built.exit_code == 0, built.output


def test_the_pdfs_text_is_what_a_reader_sees(default_build):
    """The text the guard reads of a PDF: every word on its pages (the running footer
    too), its metadata, its pictures' alternative texts and its bookmarks."""
    data = default_build["pdf"]
    text = published_text("pdf", data)
    words = set(text.split())
    assert set(pdf_text(data).split()) <= words
    with pikepdf.open(io.BytesIO(data)) as pdf:
        title = str(pdf.docinfo["/Title"])
    assert title in text and "Side 1 af 2" in text
    assert "Grøn smiley: resultatet forventes nået" in text


def test_a_number_split_over_runs_or_lines_is_read_whole(tmp_path):
    from reportgen.writers.pdf import html_to_pdf

    narrow = "overflow-wrap: anywhere; width: {}px"  # as report.css lets a long word break
    html = ("<html><body><p>Kontakt: <b>010180</b>-1234 og <i>02</i>0280-1234.</p>"
            f'<p style="{narrow.format(70)}">030380-1234 og</p>'  # 030380- | 1234 og
            f'<p style="{narrow.format(64)}">040480-1234 og</p>'  # 040480 | -1234 og
            "<table><tr><td>Aftale af 150118</td><td>2019 nye boliger</td></tr></table>"
            "</body></html>")
    text = published_text("pdf", html_to_pdf(html, DEFAULT_TEMPLATES, None))
    assert "Kontakt: 010180-1234 og 020280-1234." in text
    assert "030380-1234 og" in text and "040480-1234\nog" in text  # broken at the dash
    # line by line, as the guard reads it: two table cells are two lines, no number
    assert [hit.masked for line in text.split("\n") for hit in find(line, TODAY)
            if hit.kind == CPR] == [
        "0101XX-XXXX", "0202XX-XXXX", "0303XX-XXXX", "0404XX-XXXX"]  # not 150118 2019


def test_the_pdfs_text_is_the_same_read_by_the_scan_or_by_the_parser(multi_theme, monkeypatch):
    """The operators are found in the content's bytes as WeasyPrint writes them; content in
    another form goes to pikepdf's parser, which reads the same text."""
    import re

    from reportgen.writers.pdf import text

    scanned = text.pdf_text(multi_theme["pdf"])
    monkeypatch.setattr(text, "_PARSER_ONLY", re.compile(rb""))  # every stream parsed
    assert text.pdf_text(multi_theme["pdf"]) == scanned
    assert "Side 1 af" in scanned
