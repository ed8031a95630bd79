"""Text from file names and cells shown safely: one line, nothing a terminal or a sheet
would act on, and the bytes of a name that is not UTF-8 shown as bytes."""

from __future__ import annotations

import csv
import io
import os

import openpyxl

from reportgen.commands.findings_sheet import findings_csv, findings_xlsx
from reportgen.model import Finding, Severity, printable

LATIN1 = os.fsdecode(b"B\xf8rn og Unge.xlsx")


def test_printable_escapes_what_a_terminal_would_act_on():
    assert printable("ny\nlinje\r\tx") == "ny\\nlinje\\r\\tx"
    assert printable("a\x1b[2Jb\x7f\x85") == "a\\x1b[2Jb\\x7f\\x85"
    assert printable("\u202aa\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200f") == (
        "\\u202aa\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200f")
    assert printable(LATIN1) == "B\\xf8rn og Unge.xlsx"
    assert printable("linje\u2028afsnit\u2029") == "linje\\u2028afsnit\\u2029"
    kept = "Børn, Ældre & Unge – 😊 🟢 ‍ (CPU/BGE) »x« ‹y› \u00a0"
    assert printable(kept) == kept


def test_a_finding_is_one_line_whatever_its_file_name():
    finding = Finding("RG201", Severity.ERROR, "»blå\x1b[0m« er ikke en kendt status",
                      "ny\nlinje\u202e.xlsx", "Mål", "F2")
    assert str(finding) == ("RG201 fejl: ny\\nlinje\\u202e.xlsx › Mål › F2: »blå\\x1b[0m« "
                            "er ikke en kendt status")


NAMES = {"ny\nlinje.xlsx": "ny\\nlinje.xlsx", "farve\x1b[31mrød.xlsx": "farve\\x1b[31mrød.xlsx",
         "vendt\u202exslx.xlsx": "vendt\\u202exslx.xlsx", LATIN1: "B\\xf8rn og Unge.xlsx",
         "nul\x00.xlsx": "nul\\x00.xlsx"}


def findings() -> list[Finding]:
    return [Finding("RG201", Severity.ERROR, f"»blå\x07« er ikke en kendt status ({name})",
                    name, "Mål", "F2", centre="C\x1b") for name in NAMES]


def test_the_findings_sheet_holds_every_file_name_escaped():
    """openpyxl refuses control characters and cannot write surrogates: escaped, they go in."""
    sheet = openpyxl.load_workbook(io.BytesIO(findings_xlsx(findings())))["Fund"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [row[5] for row in rows] == list(NAMES.values())
    assert {row[2] for row in rows} == {"C\\x1b"}
    assert rows[0][8] == "»blå\\x07« er ikke en kendt status (ny\\nlinje.xlsx)"


def test_the_findings_csv_holds_every_file_name_escaped():
    data = findings_csv(findings()).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data, newline=""), delimiter=";"))
    assert [row[5] for row in rows[1:]] == list(NAMES.values())
    assert not any(c in data for c in "\x1b\x00\x07\u202e")
