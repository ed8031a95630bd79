"""Write input/tema-1-vision-og-bosaetning.xlsx: the source document's Tema 1 as a workbook.

Texts, centre, comment, header block and intro are the municipality's own (Næstved
Kommune, "Tema 1: Vision og Bosætning", August 2018). The source's smiley pictures were
lost, so the statuses are illustrative.

    .venv/bin/python tools/make_default_input.py input/tema-1-vision-og-bosaetning.xlsx
"""

from __future__ import annotations

import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

THEME = "Tema 1: Mærk Næstved"
VISION_EFFECT = (
    "Realisere målsætninger i eksisterende vision for 2014 – 2017\n"
    "Sikre vækst og udvikling i Næstved Kommune gennem fornyelse og forankring af vision i "
    "nyt byråd"
)
SETTLEMENT_EFFECT = "Befolkningstilvækst på 250 personer som netto bidrager økonomisk til kommunen"
HEADERS = ("Id", "Tema", "Indsatsområde", "Effektmål", "Resultatmål",
           "Måles hvordan/opnås gennem", "Resultat", "Tidsplan", "Kommentar", "Center/Centerchef")
GOALS = (  # id, focus area, effect goal (first row of an area), goal, result, timeline, comment
    ("1.1.1", "Vision", VISION_EFFECT, "Udarbejdelse af fornyet vision", "grøn", "grøn", None),
    ("1.1.2", None, None, 'Styrkelse af " Mærk Næstved som brand herunder: Politiske drøftelse '
     'af, hvad "Mærk Næstved" skal indeholde og signalere', "grøn", "grøn", None),
    ("1.1.3", None, None, "Forankring af kendskab til og arbejde med vision 2018 – 2021 hos "
     "medarbejdere i Næstved Kommune", "grøn", "grøn / grøn", None),
    ("1.1.4", None, None, "Forberedelse af DM i skills, fase 2 – herunder plan for opfølgende "
     "aktiviteter", "grøn", "grøn", None),
    ("1.2.1", "Bosætning", SETTLEMENT_EFFECT, "Ny bosætningsstrategi for 2018 - 2021", "gul",
     "rød", "Ny bosætningsstrategi har afventet arbejdet med den nye Vision. Arbejdet "
     "påbegyndes i efteråret 2018"),
    ("1.2.2", None, None, "Samlet helhedstænkning omkring landdistrikter og centerstruktur, "
     "herunder dialog med de udpegede udviklingscentre", "grøn", "grøn", None),
    ("1.2.3", None, None, "Iværksættelse af initiativer med henblik på at øge egne og "
     "potentielle nye borgeres oplevelse af service ved henvendelse til Næstved Kommune.",
     "grøn", "grøn", None),
)
META = (
    ("Titel", "Tema 1: Vision og Bosætning."),
    ("Undertitel", "Opfølgning på Strategiplan 2018"),
    ("Sagsnr.", "00.01.00-A00-55-18"),
    ("Sagsbehandler", "Lotte Riberholt Fredberg"),
    ("Dato", "August 2018"),
    ("Revideret", None),
    ("Opfølgning", "Opfølgning august 2018"),
    ("Indledning",
     "Mål fra strategiplan 2018 er indarbejdet i de relevante resultataftaler for centrene i "
     "Næstved Kommune.\n\n"
     "Der er sket en opfølgning på resultataftalerne for centrene. Opfølgningen på "
     "Strategiplanen er generet ud fra denne opfølgning.\n\n"
     "Opfølgning er foretaget på baggrund af centrenes resultataftaler."),
)


def build(path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Mål"
    sheet["A1"] = "Opfølgning på Strategiplan 2018 – Tema 1"
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A2"] = ("Vælg grøn, gul eller rød for resultat og tidsplan. "
                   "Gul og rød kræver en kommentar.")
    header_row = 4
    sheet.append([])
    sheet.append(HEADERS)
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    for goal_id, area, effect, text, result, timeline, comment in GOALS:
        sheet.append((goal_id, THEME, area, effect, text, None, result, timeline, comment,
                      "CPU/BGE"))
    last = header_row + len(GOALS)
    sheet.merge_cells(f"B{header_row + 1}:B{last}")  # the theme merged down, as people do
    for column, width in zip("ABCDEFGHIJ", (7, 22, 16, 40, 50, 24, 10, 12, 40, 16), strict=True):
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = f"A{header_row + 1}"

    meta = workbook.create_sheet("Rapport")
    for key, value in META:
        meta.append((key, value))
    meta.column_dimensions["A"].width = 16
    meta.column_dimensions["B"].width = 90
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


if __name__ == "__main__":
    build(Path(sys.argv[1] if len(sys.argv) > 1 else "input/tema-1-vision-og-bosaetning.xlsx"))
