"""The workbook contract: the words a centre's workbook is read by, and written with.

Sheet names, the goal sheet's columns and the headers accepted for each, the status
words and the `Rapport` sheet's keys, as `shared/spec/workbook.md` and the README state
them. The reader reads by them and the centres' workbooks are made with them; the model
speaks English.
"""

from __future__ import annotations

from .model import Status

GOAL_SHEET_NAMES = ("mål", "maal", "goals")  # a goal sheet's names, casefolded
GOAL_SHEET = "Mål"  # the name the centres' workbooks give it
GUIDE_SHEET = "Vejledning"
REPORT_SHEET = "Rapport"

# Column headers of the goal sheet, as the reader compares them (case, spaces and a
# trailing `:` or hint aside): field -> accepted headers, the contract's own first.
HEADERS: dict[str, tuple[str, ...]] = {
    "theme": ("tema", "theme"),
    "focus_area": ("indsatsområde", "indsatsomraade", "focus area"),
    "effect_goal": ("effektmål", "effektmaal", "effect goal"),
    "goal": ("resultatmål", "mål", "resultatmaal", "goal"),
    "measure": ("måles hvordan/opnås gennem", "måles hvordan", "opnås gennem", "measure"),
    "centre": ("center/centerchef", "center", "centerchef", "ansvarlig", "responsible"),
    "result": ("resultat", "resultater", "status resultat", "result"),
    "timeline": ("tidsplan", "status tidsplan", "timeline"),
    "comment": ("kommentar", "kommentarer", "bemærkning", "comment"),
    "id": ("id", "nr"),
}
REQUIRED = ("theme", "focus_area", "goal", "centre", "result", "timeline")
HEADER_NAMES = {  # the Danish header a message names
    "theme": "Tema",
    "focus_area": "Indsatsområde",
    "effect_goal": "Effektmål",
    "goal": "Resultatmål",
    "measure": "Måles hvordan/opnås gennem",
    "centre": "Center/Centerchef",
    "result": "Resultat",
    "timeline": "Tidsplan",
    "comment": "Kommentar",
    "id": "Id",
}
# The last round's columns in a workbook made from a follow-up: written, never read. No
# header the reader knows (HEADERS, a hint in brackets aside) may be one of these.
LAST_ROUND_HEADERS = {
    "last_result": "Sidste resultat",
    "last_timeline": "Sidste tidsplan",
    "last_comment": "Sidste kommentar",
}
# A goal sheet's own running number, not an Id shared with other workbooks: see
# reader/merge.py's `local_numbers`.
NUMBER_HEADERS = ("nr",)
# Text from these columns is printed in the report.
PRINTED = ("theme", "focus_area", "effect_goal", "goal", "measure", "centre", "result",
           "timeline", "comment")

STATUS_WORDS: dict[str, Status] = {
    **dict.fromkeys(("grøn", "groen", "green", "🟢", "😊", "🙂", "☺"), Status.GREEN),
    **dict.fromkeys(("gul", "yellow", "🟡", "😐"), Status.YELLOW),
    **dict.fromkeys(("rød", "roed", "red", "🔴", "☹", "🙁", "😞"), Status.RED),
}
COLOUR_WORDS = {Status.GREEN: "grøn", Status.YELLOW: "gul", Status.RED: "rød"}
ACCEPTED_WORDS = "grøn, gul, rød (eller green, yellow, red; to med / imellem, fx »gul / grøn«)"

# Keys of the `Rapport` sheet, compared as headers are: key -> field of the report.
META_KEYS = {
    "titel": "title",
    "undertitel": "subtitle",
    "sagsnr": "case_number",
    "sagsbehandler": "case_handler",
    "dato": "date",
    "revideret": "revised",
    "opfølgning": "follow_up",
    "indledning": "intro",
}
META_NAMES = {  # the key a message names
    "title": "Titel", "subtitle": "Undertitel", "case_number": "Sagsnr.",
    "case_handler": "Sagsbehandler", "date": "Dato", "revised": "Revideret",
    "follow_up": "Opfølgning", "intro": "Indledning",
}


def centre_key(text: str) -> str:
    return " ".join(text.split()).casefold()
