"""The commands' options and arguments, each checked as click parses it, and failing in
Danish."""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from pathlib import Path

import click

from ..design import DEFAULT_TEMPLATES
from ..errors import ReportgenError, quote
from ..files import NAME_MAX, TEMP_EXTRA
from ..model import printable
from ..writers import FORMATS, format_list, format_names
from .danish import USAGE, FolderType, PathType, WrongUsage, param_name


def parse_formats(ctx, param, value: str) -> list[str]:
    try:
        return format_list(value)
    except ValueError as exc:
        if not str(exc).strip():
            raise click.BadParameter(f"angiv mindst ét af {format_names('eller')}") from None
        raise click.BadParameter(
            f"ukendt format {quote(exc)}; vælg blandt {format_names()}") from None


def file_name(ctx, param, value: str | None) -> str | None:
    """--name is a file name without extension: never a path, never hidden, never empty."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("navnet må ikke være tomt")
    if "/" in value or "\\" in value or (os.altsep and os.altsep in value):
        raise click.BadParameter(f"{quote(value)} er en sti; angiv et filnavn uden mappe "
                                 "og endelse, fx »tema-1«")
    if value.startswith("."):
        raise click.BadParameter(f"{quote(value)} begynder med punktum (en skjult fil); "
                                 "angiv et filnavn, fx »tema-1«")
    if printable(value) != value:
        raise click.BadParameter(f"{quote(value)} indeholder tegn, der ikke hører hjemme i "
                                 "et filnavn (kontroltegn eller bytes, der ikke er UTF-8)")
    # the longest extension, and a draft's `-kladde` before it
    longest = max(len(fmt) for fmt in FORMATS) + 1 + len("-kladde")
    size = len(os.fsencode(value)) + longest + TEMP_EXTRA
    if size > NAME_MAX:
        raise click.BadParameter(f"navnet er for langt til filsystemet "
                                 f"({len(os.fsencode(value))} byte; højst "
                                 f"{NAME_MAX - longest - TEMP_EXTRA})")
    return value


def sheet_text(ctx, param, value: str | None) -> str | None:
    """A text that goes into a workbook: openpyxl refuses control characters other than tab
    and line breaks, and UTF-8 cannot hold the bytes of an argument that was not UTF-8."""
    if value is None:
        return None
    bad = sorted({c for c in value if (ord(c) < 0x20 and c not in "\t\n\r")
                  or 0xD800 <= ord(c) <= 0xDFFF})
    if bad:
        raise click.BadParameter(
            f"{quote(value)} indeholder {'et tegn' if len(bad) == 1 else 'tegn'}, som et "
            f"regneark ikke kan rumme: {', '.join(printable(c) for c in bad)}")
    return value


def _date_text(ctx, param, value: str | None) -> str | None:
    """--date: a date in figures must be one (2019-01-15); words are taken as written."""
    from ..dates import figures_date

    value = sheet_text(ctx, param, value)
    try:
        figures_date(value or "")
    except ValueError:
        raise click.BadParameter(f"{quote(value)} er ikke en dato; skriv den som ÅÅÅÅ-MM-DD "
                                 "(fx 2019-01-15) eller med ord (fx »Januar 2019«)") from None
    return value


def _findings_path(ctx, param, value: Path | None) -> Path | None:
    if value is not None and value.suffix.lower() not in (".xlsx", ".csv"):
        raise click.BadParameter(f"{quote(value)} skal ende på .xlsx eller .csv")
    return value


findings_option = click.option(
    "--findings", "findings_sheet", type=PathType(), metavar="FIL", callback=_findings_path,
    help="Skriv også fundene som regneark (.xlsx eller .csv), der kan filtreres pr. center.")


def _acceptances(ctx, param, values: tuple[str, ...]) -> list:
    from ..checks.acceptance import parse

    try:
        return [parse(value) for value in values]
    except ReportgenError as exc:
        raise WrongUsage(exc.code, exc.message) from None


def accept_options(command):
    """--accept and --accept-file: personal-data findings accepted one cell at a time."""
    command = click.option(
        "--accept-file", type=PathType(), metavar="FIL",
        help="Godkendelser fra en fil, én pr. linje (som --accept).")(command)
    return click.option(
        "--accept", "accepted", multiple=True, metavar="KODE@ARK!CELLE", callback=_acceptances,
        help="Godkend ét fund af personoplysninger i én celle, som ikke er det (fx "
        "»RG601@Mål!J7«, eller »RG601@fil.xlsx:Mål!J7«); kan gentages.")(command)


def all_acceptances(accepted: Sequence, accept_file: Path | None) -> list:
    from ..checks.acceptance import read_file

    return [*accepted, *(read_file(accept_file) if accept_file is not None else [])]


plan_option = click.option(
    "--plan", "plan", multiple=True, type=PathType(), metavar="PLAN",
    help="Arbejdsbogen (eller mappen), runden blev sendt ud fra: planen bestemmer, hvilke mål "
    "rapporten har, og i hvilken rækkefølge; kan gentages.")


previous_option = click.option(
    "--previous", "previous", type=PathType(), metavar="STI",
    help="Den forrige opfølgning: dens arbejdsbøger (fil eller mappe) eller dens JSON-eksport. "
    "Rapporten viser med en pil, hvilke statusser der er forbedret eller forværret siden, "
    "markerer nye mål og lister de mål, der ikke længere er med.")


# The round's details, each over the `Rapport` sheets' value: field -> (metavar, help).
DETAILS = {
    "title": ("TEKST", "Rapportens titel"),
    "subtitle": ("TEKST", "Undertitlen, fx »Opfølgning på Strategiplan 2018«"),
    "case_number": ("TEKST", "Sagsnummeret"),
    "case_handler": ("TEKST", "Sagsbehandleren"),
    "date": ("DATO", "Datoen: ÅÅÅÅ-MM-DD (skrives »15. januar 2019«) eller med ord, fx "
             "»Januar 2019«"),
    "revised": ("TEKST", "Revideret, fx »3. september 2018«"),
    "follow_up": ("TEKST", "Opfølgningens navn, fx »Opfølgning januar 2019«"),
}


def detail_options(command):
    """--title, --subtitle, --case-number, --case-handler, --date, --revised, --follow-up:
    handed to the command as one `details` dict of those given."""
    from ..contract import META_NAMES

    @functools.wraps(command)
    def with_details(*args, **kwargs):
        given = {name: kwargs.pop(name) for name in DETAILS}
        return command(*args, details={name: value for name, value in given.items()
                                       if value is not None}, **kwargs)

    for name, (metavar, help_text) in reversed(DETAILS.items()):
        with_details = click.option(
            "--" + name.replace("_", "-"), name, metavar=metavar,
            callback=_date_text if name == "date" else sheet_text,
            help=f"{help_text} (i stedet for Rapport-arkets »{META_NAMES[name]}«).",
        )(with_details)
    return with_details


input_argument = click.argument("inputs", nargs=-1, type=PathType(),
                                metavar="[ARBEJDSBOG|MAPPE]...")


templates_option = click.option(
    "--templates", type=FolderType(), default=DEFAULT_TEMPLATES, metavar="MAPPE",
    help="Mappe med skabelonerne (standard: programmets egne).")


def port(ctx, param, value: int) -> int:
    if not 1 <= value <= 65535:
        raise WrongUsage(USAGE, f"Tilvalget »--port« skal være et tal fra 1 til 65535, ikke "
                         f"{value}.", ctx)
    return value


def at_least_one(ctx, param, value: int) -> int:
    if value < 1:
        raise WrongUsage(USAGE, f"Tilvalget {param_name(param)} skal være mindst 1.", ctx)
    return value
