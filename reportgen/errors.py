"""Failures outside a workbook, and the one table of every code reportgen gives.

A workbook's problems are findings (model.Finding), reported together. A failure of the
machinery — a template or wording file with a mistake, a writer, the disk — is a
ReportgenError: a code, a Danish message and where, raised by the library and turned
into text and a status in one place per front end: a line on stderr and an exit status
(cli/errors.py), an HTTP status and a JSON body (web/errors.py).
"""

from __future__ import annotations

import errno
from pathlib import Path

from .model import printable


class ReportgenError(Exception):
    """A failure the user can act on: its code, a Danish message, and where (a file, and
    a line where one is known)."""

    def __init__(self, code: str, message: str, where: str | None = None) -> None:
        assert code in CODES, code
        super().__init__(message)
        self.code, self.message, self.where = code, message, where

    def __str__(self) -> str:
        place = f"{self.where}: " if self.where else ""
        return f"{self.code} fejl: {place}{self.message}"


def quote(text: object) -> str:
    """»text«, as every message quotes a name, with what a terminal cannot show escaped."""
    return f"»{printable(str(text))}«"


# What the system said, in Danish; any other error is named by its symbol (EXDEV, say).
# By name, as not every system has every one (Windows has no EDQUOT).
OS_REASONS = {getattr(errno, name): reason for name, reason in (
    ("EACCES", "adgang nægtet"),
    ("EPERM", "adgang nægtet"),
    ("EROFS", "drevet er skrivebeskyttet"),
    ("ENOSPC", "disken er fuld"),
    ("EDQUOT", "kvoten på disken er brugt op"),
    ("ENOENT", "findes ikke"),
    ("ENOTDIR", "en del af stien er en fil, ikke en mappe"),
    ("EISDIR", "det er en mappe"),
    ("EEXIST", "findes allerede"),
    ("ENAMETOOLONG", "navnet er for langt til filsystemet"),
    ("EIO", "læse- eller skrivefejl på disken"),
    ("EMFILE", "for mange åbne filer"),
    ("ENFILE", "for mange åbne filer"),
) if hasattr(errno, name)}


def os_reason(exc: OSError) -> str:
    """»path«: adgang nægtet — what an OSError means, with the file it is about."""
    said = OS_REASONS.get(exc.errno) if exc.errno is not None else None
    if said is None:
        symbol = errno.errorcode.get(exc.errno, "") if exc.errno is not None else ""
        said = f"styresystemet svarede {symbol or type(exc).__name__}"
    return f"{quote(exc.filename)}: {said}" if exc.filename else said


def reason(exc: OSError) -> str:
    """What an OSError means, where the message names its file already."""
    return OS_REASONS.get(exc.errno) or os_reason(exc)


# Every code, what it means (the README's table says the same; a test holds them together).
CODES = {
    "RG001": "an input path does not exist",
    "RG002": "no workbooks in the folder",
    "RG003": "wrong usage",
    "RG004": "interrupted",
    "RG005": "an --accept that is not one, or that fits cells in two files",
    "RG010": "an entry of an input folder that is not read",
    "RG100": "the file does not exist, or is no file",
    "RG101": "not a workbook",
    "RG102": "a password-protected workbook, or an old .xls not named .xls",
    "RG103": "no goal sheet",
    "RG104": "a required column missing",
    "RG105": "unsafe XML",
    "RG106": "too large, or a zip bomb",
    "RG107": "too many rows",
    "RG108": "a merged range too large to read",
    "RG109": "the file may not be opened",
    "RG110": "--previous: a JSON file that is not a reportgen JSON export",
    "RG111": "--previous: a JSON export beyond the bounds (size, goals)",
    "RG201": "unknown status word",
    "RG202": "yellow or red without a comment",
    "RG203": "a goal without text",
    "RG204": "a goal without a centre",
    "RG205": "not reported",
    "RG206": "a formula without a stored result",
    "RG207": "no theme or focus area",
    "RG208": "no goal rows",
    "RG209": "a workbook of the report's details alone",
    "RG211": "a status cell's text and fill disagree",
    "RG212": "a status cell's fill is no clear colour",
    "RG213": "characters no font holds",
    "RG301": "unknown key in Rapport",
    "RG302": "a Rapport key differing between workbooks",
    "RG303": "a Rapport key twice in one sheet",
    "RG401": "the same goal with different statuses or comments",
    "RG402": "the same goal in two places, shown once",
    "RG403": "two different goals with the same Id",
    "RG404": "a returned goal the plan does not hold",
    "RG405": "a returned goal's text differs from the plan's",
    "RG406": "a returned row whose Id and text name two different plan goals",
    "RG407": "a returned row whose centre is not its plan goal's",
    "RG408": "the plan (or a copy of it) among the returned workbooks, not read",
    "RG420": "--previous: an Id that names another goal than it did then",
    "RG421": "--previous: goals gone that belong to no theme or centre of the extracts",
    "RG501": "--centre (build, template) names an unknown centre",
    "RG601": "a CPR number",
    "RG602": "an e-mail address",
    "RG603": "a phone number",
    "RG604": "a CPR number in a finished document",
    "RG605": "an --accept that matches no finding",
    "RG700": "web: a request that is not one",
    "RG701": "web: an upload too large",
    "RG702": "web: too many files",
    "RG703": "web: a file that is no workbook or zip, or a zip that cannot be unpacked",
    "RG704": "web: a file name that is a path",
    "RG705": "web: a foreign Host or Origin",
    "RG706": "web: the build queue is full",
    "RG707": "web: no such job or file",
    "RG708": "web: a build failed or timed out",
    "RG709": "web: a final build refused, the input has errors",
    "RG900": "the disk or the system refused",
    "RG901": "a column that is not read",
    "RG902": "a second column for a field",
    "RG903": "a hidden column read",
    "RG904": "a Nr. column that is not an Id",
    "RG905": "which goal sheets are read",
    "RG906": "an .xls or .ods file: values only",
    "RG907": "the returned workbooks' Rapport sheets are not read with a plan",
    "RG910": "an output cannot be written where asked",
    "RG911": "a file name too long",
    "RG912": "template: a workbook to be written exists already (no --force)",
    "RG920": "a mistake in a template file",
    "RG930": "an installed WeasyPrint or pydyf is not the release reportgen's repairs fit",
    "RG990": "an unforeseen error in reportgen",
}


def template_error(exc: Exception, templates: Path, fallback: str) -> ReportgenError:
    """A mistake in a template (Jinja2's error, or the one it led to) as RG920, naming the
    template file and, where Jinja2 knows it, the line: it puts the template's own lines
    into the traceback."""
    folder = Path(templates).resolve()
    name, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    traceback = exc.__traceback__
    while traceback is not None:
        path = Path(traceback.tb_frame.f_code.co_filename)
        # Jinja2 names a template's file as its folder was given: relative, if it was.
        if path.resolve().parent == folder:
            name, line = path.name, traceback.tb_lineno
        traceback = traceback.tb_next
    if name and not name.startswith("<"):  # docxtpl's template is a string: no lines
        where = f"{Path(name).name}, linje {line}" if line else Path(name).name
    else:
        where = fallback
    detail = (str(exc).strip().splitlines() or [""])[0]
    # Imported here, not above: the command line imports this module and starts without Jinja2.
    from jinja2.exceptions import SecurityError

    if isinstance(exc, SecurityError):  # the sandbox refused (writers.html, writers.docx)
        return ReportgenError(
            "RG920", f"Skabelonen gør noget, som en skabelon ikke må ({type(exc).__name__}: "
            f"{detail}); en skabelon kan kun vise rapportens egne værdier. Ret den, eller "
            "byg med programmets egne skabeloner (uden --templates).", where)
    return ReportgenError(
        "RG920", f"Skabelonen har en fejl ({type(exc).__name__}: {detail}). Ret den, eller "
        "byg med programmets egne skabeloner (uden --templates).", where)
