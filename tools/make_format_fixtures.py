"""Write tests/fixtures/centre.ods and centre.xls: one centre's workbook as LibreOffice
saves it in the OpenDocument and the old Excel format.

The workbook is built with openpyxl (`write_centre_workbook`, which the tests call to
have the .xlsx it was converted from) and converted with LibreOffice Calc; the tests read
the two files without LibreOffice. Run it again after changing the workbook:

    .venv/bin/python tools/make_format_fixtures.py tests/fixtures
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

HEADERS = ("Id", "Tema", "Indsatsområde", "Effektmål", "Resultatmål",
           "Måles hvordan/opnås gennem", "Resultat", "Tidsplan", "Kommentar", "Center/Centerchef")
THEME_2 = "Tema 2: Et godt børneliv"
THEME_3 = "Tema 3: Grøn omstilling"
# Ids are typed as text (2.10 would be the number 2.1), but for the last one, a number;
# empty theme, focus area and effect goal cells mean the same as above.
GOALS = (
    ("2.1", THEME_2, "Dagtilbud", "Flere børn trives i dagtilbud",
     "Ny pædagogisk læreplan i alle dagtilbud", "Trivselsmåling", "grøn", "grøn", None),
    ("2.2", None, None, None, "Sprogvurdering af alle treårige", None, "gul", "grøn",
     "Tre dagtilbud mangler uddannede sprogvurderere. De uddannes i foråret, og vurderingerne "
     "er færdige inden sommer."),
    ("2.10", None, "Skole", "Flere elever går i skole i nærområdet",
     "Plan for skolernes bygninger", dt.date(2025, 3, 1), "grøn", "rød / gul",
     "Planen blev forsinket af udbuddet; den vedtages i juni."),
    (3, THEME_3, "Energi", None, "Solceller på kommunens bygninger", "Antal kWh",
     "grøn", "grøn", None),
)
CENTRE = "CBU/BLI"
FILLS = {"grøn": "00B050", "gul": "FFFF00", "rød": "FF0000"}
REPORT = (("Revideret", "3. marts 2025"),)  # a detail the default input leaves empty


def write_centre_workbook(path: Path) -> Path:
    """One centre's goals under a title row, a Rapport sheet, and a hidden old sheet."""
    workbook = Workbook()
    goals = workbook.active
    goals.title = "Mål"
    goals.append(["Strategiplan: centrets opfølgning"])
    goals.append(list(HEADERS))
    for number, (goal_id, *texts) in enumerate(GOALS, start=3):
        goals.append([goal_id, *texts[:-1], texts[-1], CENTRE])
        goals.cell(number, 1).number_format = "@" if isinstance(goal_id, str) else "General"
        for column in (7, 8):  # coloured as the words say: only the .xlsx keeps the colour
            word = goals.cell(number, column).value.split("/")[0].strip()
            goals.cell(number, column).fill = PatternFill("solid", fgColor=FILLS[word])
        if isinstance(goals.cell(number, 6).value, dt.date):
            # shown as Excel shows a date with no format known, as .xls and .ods are read
            goals.cell(number, 6).number_format = "d. mmmm yyyy"
    goals["I4"].comment = Comment("Husk at opdatere i juni", "Centret")
    report = workbook.create_sheet("Rapport")
    for row in REPORT:
        report.append(list(row))
    old = workbook.create_sheet("Sidste år")
    old.sheet_state = "hidden"
    old.append(list(HEADERS))
    old.append(["9.9", THEME_2, "Dagtilbud", None, "Et mål fra sidste år", None, "grøn",
                "grøn", None, CENTRE])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return path


def convert(source: Path, fmt: str, out_dir: Path) -> Path:
    """The workbook saved by LibreOffice Calc as `fmt` (ods or xls) in out_dir."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        sys.exit("LibreOffice (soffice) is needed to make the fixtures")
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run([soffice, "--headless", f"-env:UserInstallation=file://{profile}",
                        "--convert-to", fmt, "--outdir", str(out_dir), str(source)],
                       check=True, capture_output=True)
    target = out_dir / f"{source.stem}.{fmt}"
    if not target.is_file():
        sys.exit(f"LibreOffice did not write {target}")
    return target


def main(out_dir: Path) -> None:
    with tempfile.TemporaryDirectory() as work:
        source = write_centre_workbook(Path(work) / "centre.xlsx")
        out_dir.mkdir(parents=True, exist_ok=True)
        for fmt in ("ods", "xls"):
            print(convert(source, fmt, out_dir))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("tests/fixtures"))
