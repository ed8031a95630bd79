"""Personal data in the texts: CPR numbers, e-mail addresses and phone numbers found, and
look-alikes left alone (the verdicts, without the documents)."""

from __future__ import annotations

import datetime as dt

import pytest

from reportgen.personal_data import CPR, EMAIL, PHONE, find, masked

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
])
def test_verdicts(text, expected):
    assert [(hit.kind, hit.masked, hit.certain) for hit in find(text, TODAY)] == expected


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
    from reportgen.acceptance import Acceptance, parse

    assert parse("RG601@Mål!J7") == Acceptance("RG601", None, "Mål", "J7")
    assert parse(" RG602@c:\\fælles\\a.xlsx:Mål (2)!$h$12 ") \
        == Acceptance("RG602", "c:\\fælles\\a.xlsx", "Mål (2)", "H12")


@pytest.mark.parametrize("text", ["RG601", "RG601@J7", "RG601@Mål!7", "RG202@Mål!J7",
                                  "rg601@Mål!J7", "RG601@Mål!J0"])
def test_anything_else_is_refused(text):
    from reportgen.acceptance import parse
    from reportgen.errors import ReportgenError

    with pytest.raises(ReportgenError) as raised:
        parse(text)
    assert raised.value.code == "RG005"


def test_an_acceptance_marks_its_finding_and_no_other():
    from reportgen.acceptance import accepted, apply, parse
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
