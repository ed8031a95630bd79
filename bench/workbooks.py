"""Synthetic centre workbooks of any size: deterministic, with realistic Danish text lengths.

4 themes, several focus areas each, both status columns, a comment on ~30 % of goals
(every yellow and red one), some double statuses; goals 60-200 characters.

    .venv/bin/python bench/workbooks.py 200 /tmp/in/200.xlsx
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from openpyxl import Workbook

THEMES = ("Tema 1: Mærk Næstved", "Tema 2: Vækst og erhverv", "Tema 3: Børn og læring",
          "Tema 4: Sundhed og trivsel")
AREAS = ("Vision", "Bosætning", "Erhvervsservice", "Uddannelse", "Dagtilbud", "Ældreområdet",
         "Klima og miljø", "Digitalisering", "Kultur og fritid", "Beskæftigelse")
WORDS = ("udarbejdelse", "styrkelse", "forankring", "samarbejde", "borgere", "virksomheder",
         "strategi", "handleplan", "kommunen", "medarbejdere", "centrene", "opfølgning",
         "dialog", "initiativer", "service", "kvalitet", "udvikling", "ressourcer", "tværgående",
         "indsats", "lokalsamfund", "børn", "unge", "ældre", "sundhed", "trivsel", "æøå")
CENTRES = tuple(f"C{n:02d}/{chr(65 + n % 26)}{chr(66 + n % 25)}" for n in range(40))
HEADERS = ("Id", "Tema", "Indsatsområde", "Effektmål", "Resultatmål",
           "Måles hvordan/opnås gennem", "Resultat", "Tidsplan", "Kommentar",
           "Center/Centerchef")


def _sentence(rng: random.Random, low: int, high: int) -> str:
    length = rng.randint(low, high)
    words: list[str] = []
    while len(" ".join(words)) < length:
        words.append(rng.choice(WORDS))
    text = " ".join(words)[:length].rstrip()
    return text[0].upper() + text[1:] + "."


def _status(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.05:
        return rng.choice(("gul / grøn", "rød / gul", "grøn / gul"))
    return "grøn" if roll < 0.72 else "gul" if roll < 0.9 else "rød"


def goal_rows(goals: int, seed: int = 2018) -> list[tuple]:
    rng = random.Random(seed)
    rows = []
    per_theme = -(-goals // len(THEMES))
    for index in range(goals):
        theme = index // per_theme
        area = (index % per_theme) // max(1, per_theme // 3)
        first_in_area = index == 0 or rows[-1][1:3] != (THEMES[theme], AREAS[area % len(AREAS)])
        result, timeline = _status(rng), _status(rng)
        needs = any(word in f"{result} {timeline}" for word in ("gul", "rød"))
        comment = _sentence(rng, 60, 240) if needs or rng.random() < 0.05 else None
        rows.append((
            f"{theme + 1}.{area + 1}.{index + 1}", THEMES[theme], AREAS[area % len(AREAS)],
            _sentence(rng, 50, 140) if first_in_area else None, _sentence(rng, 60, 200),
            _sentence(rng, 20, 80) if rng.random() < 0.4 else None, result, timeline, comment,
            CENTRES[index % len(CENTRES)],
        ))
    return rows


def write(goals: int, path: Path, last_comment: str | None = None) -> Path:
    """The workbook of `goals` goals; with `last_comment`, the last comment is that text
    (as a centre's corrected workbook: one comment changed)."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Mål"
    sheet.append(HEADERS)
    rows = goal_rows(goals)
    if last_comment is not None:
        last = max(index for index, row in enumerate(rows) if row[8])
        rows[last] = (*rows[last][:8], last_comment, *rows[last][9:])
    for row in rows:
        sheet.append(row)
    report = workbook.create_sheet("Rapport")
    for row in (("Titel", f"Opfølgning på Strategiplan – {goals} mål"),
                ("Undertitel", "Syntetisk testrapport"), ("Sagsnr.", "00.00.00-X00-1-26"),
                ("Sagsbehandler", "Sekretariatet"), ("Dato", "November 2026"),
                ("Opfølgning", "Opfølgning november 2026"),
                ("Indledning", "En rapport med syntetiske mål til test og måling.")):
        report.append(row)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


if __name__ == "__main__":
    write(int(sys.argv[1]), Path(sys.argv[2]))
