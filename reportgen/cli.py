"""The command line: `reportgen build`, `check` and `template`, in Danish from the usage line
to the last word of an error; every failure a message with a code, never a traceback.

Exit codes: 0 done, 1 the input has errors or an output cannot be written (nothing written),
2 wrong usage, 130 interrupted (Ctrl-C, as a shell reports 128 + SIGINT).
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import click

from .commands.documents import SPLITS
from .design import DEFAULT_TEMPLATES
from .errors import ReportgenError, os_reason, quote, reason
from .files import (
    NAME_MAX,
    TEMP_EXTRA,
    check_file_target,
    check_folder_target,
)
from .model import Finding, Severity, printable
from .writers import DEFAULT_FORMATS, PDF_VARIANTS, RenderOptions, format_list

# The workbook reader and the writers are imported by the commands that use them: `build`
# starts its PDF process first, so that WeasyPrint's import there overlaps these.

DEFAULT_INPUT = Path("input")

USAGE = "RG003"        # every kind of wrong usage (RG001: an input that does not exist)
INTERRUPTED = "RG004"
SYSTEM = "RG900"       # the disk or the system refused, unforeseen
UNFORESEEN = "RG990"   # a fault of reportgen's own
UNWRITABLE = "RG910"   # an output cannot be written where asked; found before writing

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

HELP_TEXT = "Vis denne hjælp og afslut."


_quote = quote


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def _either(words: Sequence[str]) -> str:
    """»a«, »b« eller »c«"""
    quoted = [_quote(w) for w in words]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} eller {quoted[-1]}"


# -- Failures, and how each is told ---------------------------------------------------------

class WrongUsage(click.UsageError):
    """A usage error of our own, already in Danish, with its code."""

    def __init__(self, code: str, message: str, ctx: click.Context | None = None) -> None:
        super().__init__(message, ctx or click.get_current_context(silent=True))
        self.code = code


def _usage_message(exc: click.UsageError) -> tuple[str, str]:
    """(code, Danish message) for every kind of usage error click raises, or we do."""
    if isinstance(exc, WrongUsage):
        return exc.code, exc.message
    if isinstance(exc, click.NoSuchOption):
        known = f"; mente du {_either(exc.possibilities)}?" if exc.possibilities else "."
        return USAGE, f"Tilvalget {_quote(exc.option_name)} findes ikke{known}"
    if isinstance(exc, click.MissingParameter):
        if isinstance(exc.param, click.Argument):
            return USAGE, f"Argumentet {_param_name(exc.param)} mangler."
        return USAGE, f"Tilvalget {_param_name(exc.param)} skal angives."
    if isinstance(exc, click.BadParameter):
        name = _param_name(exc.param) if exc.param is not None else None
        if exc.param_hint is not None:
            name = _quote(exc.param_hint if isinstance(exc.param_hint, str)
                          else "/".join(exc.param_hint))
        where = f" for {name}" if name else ""
        message = printable(exc.message)
        return USAGE, f"Ugyldig værdi{where}: {message}{'' if message[-1:] in '.?!' else '.'}"
    if isinstance(exc, click.BadOptionUsage):
        option = _option_named(exc.ctx, exc.option_name)
        if option is not None and (option.is_flag or option.count):
            return USAGE, f"Tilvalget {_quote(exc.option_name)} tager ingen værdi."
        return USAGE, f"Tilvalget {_quote(exc.option_name)} skal have en værdi."
    # BadArgumentUsage and click's plain UsageError carry no more than English text
    command = exc.ctx.command_path if exc.ctx is not None else "reportgen"
    return USAGE, f"Forkert brug af {_quote(command)}."


def _param_name(param: click.Parameter | None) -> str:
    if param is None:
        return "»?«"
    if isinstance(param, click.Option):
        return _quote("/".join(param.opts))
    return _quote(param.metavar or (param.name or "").upper())


def _option_named(ctx: click.Context | None, name: str) -> click.Option | None:
    if ctx is None:
        return None
    for param in ctx.command.params:
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def _echo_usage_error(exc: click.UsageError) -> None:
    code, message = _usage_message(exc)
    click.echo(f"{code} fejl: {message}", err=True)
    ctx = exc.ctx
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        click.echo(f"Se »{ctx.command_path} --help« for hjælp.", err=True)


# -- Danish help ----------------------------------------------------------------------------

class DanishHelpFormatter(click.HelpFormatter):
    """Click's help layout with Danish headings."""

    SECTIONS = {"Options": "Tilvalg", "Commands": "Kommandoer", "Arguments": "Argumenter",
                "Positional arguments": "Argumenter"}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Brug: " if prefix is None else prefix)

    def section(self, name: str):
        return super().section(self.SECTIONS.get(name, name))


class DanishContext(click.Context):
    formatter_class = DanishHelpFormatter


class _Danish:
    context_class = DanishContext

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except click.UsageError as exc:  # the parser's own errors know no command
            if exc.ctx is None:
                exc.ctx = ctx
            raise

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option


class DanishCommand(_Danish, click.Command):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[TILVALG]")
        super().__init__(*args, **kwargs)


class DanishGroup(_Danish, click.Group):
    """The program: its commands, and the one place where every failure becomes a Danish
    message with a code and an exit status."""

    command_class = DanishCommand

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[TILVALG]")
        kwargs.setdefault("subcommand_metavar", "KOMMANDO [ARGUMENTER]...")
        super().__init__(*args, **kwargs)

    def resolve_command(self, ctx, args):
        name = args[0]
        if (self.get_command(ctx, name) is None and not name.startswith("-")
                and not ctx.resilient_parsing):
            from difflib import get_close_matches

            close = get_close_matches(name, self.commands)
            hint = f"; mente du {_either(close)}?" if close else \
                f"; vælg {_either(sorted(self.commands))}."
            raise WrongUsage(USAGE, f"Kommandoen {_quote(name)} findes ikke{hint}", ctx)
        return super().resolve_command(ctx, args)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        if not standalone_mode:  # a caller that handles click's exceptions itself
            return super().main(args, prog_name, complete_var, False, **extra)
        _tolerant_streams()
        try:
            with warnings.catch_warnings():
                if not sys.warnoptions:  # python -W or PYTHONWARNINGS: the developer asked
                    warnings.simplefilter("ignore")
                code = super().main(args, prog_name, complete_var, False, **extra)
        except click.UsageError as exc:
            _echo_usage_error(exc)
            sys.exit(EXIT_USAGE)
        except (click.Abort, KeyboardInterrupt) as exc:
            click.echo(f"{INTERRUPTED} fejl: Afbrudt.", err=True)
            interrupted = isinstance(exc, KeyboardInterrupt) or isinstance(
                exc.__cause__, KeyboardInterrupt)
            sys.exit(EXIT_INTERRUPTED if interrupted else 1)
        except ReportgenError as exc:  # the library's own failures, already in Danish
            click.echo(printable(str(exc)), err=True)
            sys.exit(1)
        except click.ClickException as exc:
            click.echo(f"{SYSTEM} fejl: {printable(exc.format_message())}", err=True)
            sys.exit(exc.exit_code)
        except OSError as exc:  # the disk or the system, where no command foresaw it
            click.echo(f"{SYSTEM} fejl: {os_reason(exc)}. Send denne besked til den, der "
                       "driver reportgen.", err=True)
            sys.exit(1)
        except Exception as exc:  # a fault of reportgen's own: said, not a traceback
            if os.environ.get("REPORTGEN_TRACEBACK"):
                raise
            click.echo(f"{UNFORESEEN} fejl: reportgen stødte på en uventet fejl "
                       f"({type(exc).__name__}: {printable(str(exc))[:300]}). Send denne besked "
                       "til den, der driver reportgen (med REPORTGEN_TRACEBACK=1 vises "
                       "detaljerne).", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _tolerant_streams() -> None:
    """A terminal that cannot show æ, ø, å or › gets an escape, not a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):
            pass


# -- Parameter types and checks, each failing in Danish -------------------------------------

class PathType(click.ParamType):
    """A path, unchecked: each command says itself what is wrong with it."""

    name = "sti"

    def convert(self, value, param, ctx) -> Path:
        if isinstance(value, Path):
            return value
        if not value:
            self.fail("stien må ikke være tom", param, ctx)
        return Path(value)


class FolderType(PathType):
    """A folder that exists."""

    name = "mappe"

    def convert(self, value, param, ctx) -> Path:
        path = super().convert(value, param, ctx)
        if not path.exists():
            self.fail(f"mappen {_quote(path)} findes ikke", param, ctx)
        if not path.is_dir():
            self.fail(f"{_quote(path)} er ikke en mappe", param, ctx)
        return path


class ChoiceType(click.Choice):
    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"{_quote(value)} kendes ikke; vælg {_either(self.choices)}", param, ctx)

    def get_missing_message(self, param, ctx=None) -> str:
        return f"Vælg {_either(self.choices)}."


def _formats(ctx, param, value: str) -> list[str]:
    try:
        return format_list(value)
    except ValueError as exc:
        if not str(exc).strip():
            raise click.BadParameter("angiv mindst ét af pdf, docx, html, json") from None
        raise click.BadParameter(
            f"ukendt format {_quote(exc)}; vælg blandt pdf, docx, html, json") from None


def _name(ctx, param, value: str | None) -> str | None:
    """--name is a file name without extension: never a path, never hidden, never empty."""
    if value is None:
        return None
    if not value.strip():
        raise click.BadParameter("navnet må ikke være tomt")
    if "/" in value or "\\" in value or (os.altsep and os.altsep in value):
        raise click.BadParameter(f"{_quote(value)} er en sti; angiv et filnavn uden mappe "
                                 "og endelse, fx »tema-1«")
    if value.startswith("."):
        raise click.BadParameter(f"{_quote(value)} begynder med punktum (en skjult fil); "
                                 "angiv et filnavn, fx »tema-1«")
    if printable(value) != value:
        raise click.BadParameter(f"{_quote(value)} indeholder tegn, der ikke hører hjemme i "
                                 "et filnavn (kontroltegn eller bytes, der ikke er UTF-8)")
    # the longest extension, and a draft's `-kladde` before it
    longest = max(len(fmt) for fmt in ("pdf", "docx", "html", "json")) + 1 + len("-kladde")
    size = len(os.fsencode(value)) + longest + TEMP_EXTRA
    if size > NAME_MAX:
        raise click.BadParameter(f"navnet er for langt til filsystemet "
                                 f"({len(os.fsencode(value))} byte; højst "
                                 f"{NAME_MAX - longest - TEMP_EXTRA})")
    return value


def _sheet_text(ctx, param, value: str | None) -> str | None:
    """A text that goes into a workbook: openpyxl refuses control characters other than tab
    and line breaks, and UTF-8 cannot hold the bytes of an argument that was not UTF-8."""
    if value is None:
        return None
    bad = sorted({c for c in value if (ord(c) < 0x20 and c not in "\t\n\r")
                  or 0xD800 <= ord(c) <= 0xDFFF})
    if bad:
        raise click.BadParameter(
            f"{_quote(value)} indeholder {'et tegn' if len(bad) == 1 else 'tegn'}, som et "
            f"regneark ikke kan rumme: {', '.join(printable(c) for c in bad)}")
    return value


def _date_text(ctx, param, value: str | None) -> str | None:
    """--date: a date in figures must be one (2019-01-15); words are taken as written."""
    from .dates import figures_date

    value = _sheet_text(ctx, param, value)
    try:
        figures_date(value or "")
    except ValueError:
        raise click.BadParameter(f"{_quote(value)} er ikke en dato; skriv den som ÅÅÅÅ-MM-DD "
                                 "(fx 2019-01-15) eller med ord (fx »Januar 2019«)") from None
    return value


def _findings_path(ctx, param, value: Path | None) -> Path | None:
    if value is not None and value.suffix.lower() not in (".xlsx", ".csv"):
        raise click.BadParameter(f"{_quote(value)} skal ende på .xlsx eller .csv")
    return value


# -- The commands ---------------------------------------------------------------------------

def _round(inputs: tuple[Path, ...], plan: tuple[Path, ...] = (), previous: Path | None = None,
           details: dict[str, str] | None = None, accepted: Sequence = (),
           accept_file: Path | None = None, centres: Sequence[str] = (),
           split: str | None = None):
    """The round the command is asked of, each path checked to exist (RG001)."""
    from .round import Round

    return Round(_inputs(inputs), _plan(plan), _previous(previous), details or {},
                 _all_acceptances(accepted, accept_file), centres, split)


def _inputs(paths: tuple[Path, ...]) -> list[Path]:
    return _existing(list(paths) or [DEFAULT_INPUT], "Stien findes", "Stierne findes")


def _plan(paths: tuple[Path, ...]) -> list[Path]:
    return _existing(list(paths), "Planen findes", "Planen findes")


def _previous(path: Path | None) -> Path | None:
    if path is None:
        return None
    return _existing([path], "Den forrige opfølgning findes", "Den forrige opfølgning findes")[0]


def _existing(paths: list[Path], one: str, several: str) -> list[Path]:
    """The paths, or RG001 naming those that do not exist."""
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise WrongUsage("RG001", f"{one if len(missing) == 1 else several}"
                         f" ikke: {', '.join(_quote(p) for p in missing)}.")
    return paths


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        click.echo(str(finding))


def _write_findings(findings: list[Finding], sheet: Path, on_disk: str = "",
                    centres: Sequence = ()) -> None:
    """The findings sheet, and who has reported (a second sheet, or a second .csv)."""
    from .commands.findings_sheet import render_findings
    from .files import write_atomically

    files = render_findings(findings, sheet, centres)
    try:
        sheet.parent.mkdir(parents=True, exist_ok=True)
        for path, data in files.items():
            write_atomically(path, data)
    except OSError as exc:
        raise ReportgenError(UNWRITABLE, f"Fundene kunne ikke skrives til {_quote(sheet)}: "
                             f"{reason(exc)}.{on_disk}") from None
    except ReportgenError as exc:  # the disk refused: the report is as `on_disk` says
        raise ReportgenError(exc.code, exc.message + on_disk) from None
    click.echo(f"Fundene er skrevet til {' og '.join(printable(str(p)) for p in files)}.")


findings_option = click.option(
    "--findings", "findings_sheet", type=PathType(), metavar="FIL", callback=_findings_path,
    help="Skriv også fundene som regneark (.xlsx eller .csv), der kan filtreres pr. center.")


def _summary(rows_read: dict[str, int]) -> str:
    total = sum(rows_read.values())
    files = "; ".join(f"{printable(name)}: {count}" for name, count in rows_read.items())
    return (f"Læst {total} mål fra {_count(len(rows_read), 'arbejdsbog', 'arbejdsbøger')}"
            f" ({files})")


def _acceptances(ctx, param, values: tuple[str, ...]) -> list:
    from .checks.acceptance import parse

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


def _all_acceptances(accepted: list, accept_file: Path | None) -> list:
    from .checks.acceptance import read_file

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


def _print_behind(behind: list) -> None:
    """One line for each centre with goals not reported."""
    if behind:
        click.echo("Ikke indberettet:")
        for status in behind:
            click.echo(f"  {printable(status.line)}")


def _accepted_line(findings: list[Finding]) -> str:
    from .checks.acceptance import accepted

    count = accepted(findings)
    return f"; {count} fund godkendt med --accept" if count else ""


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
    from .contract import META_NAMES

    @functools.wraps(command)
    def with_details(*args, **kwargs):
        given = {name: kwargs.pop(name) for name in DETAILS}
        return command(*args, details={name: value for name, value in given.items()
                                       if value is not None}, **kwargs)

    for name, (metavar, help_text) in reversed(DETAILS.items()):
        with_details = click.option(
            "--" + name.replace("_", "-"), name, metavar=metavar,
            callback=_date_text if name == "date" else _sheet_text,
            help=f"{help_text} (i stedet for Rapport-arkets »{META_NAMES[name]}«).",
        )(with_details)
    return with_details


input_argument = click.argument("inputs", nargs=-1, type=PathType(),
                                metavar="[ARBEJDSBOG|MAPPE]...")
templates_option = click.option(
    "--templates", type=FolderType(), default=DEFAULT_TEMPLATES, metavar="MAPPE",
    help="Mappe med skabelonerne (standard: programmets egne).")


@click.group("reportgen", cls=DanishGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]},
             help="Strategiplan-opfølgning: fra centrenes arbejdsbøger til rapport i PDF og Word.")
@click.version_option(package_name="reportgen", message="%(prog)s version %(version)s",
                      help="Vis versionen og afslut.")
@click.pass_context
def main(ctx: click.Context) -> None:
    if ctx.invoked_subcommand is None:
        raise WrongUsage(USAGE, f"Angiv en kommando: {_either(sorted(main.commands))}.")


@main.command("build",
              help="Tjek arbejdsbøgerne og skriv rapporten (standard: alle arbejdsbøger i input/).")
@input_argument
@click.option("-o", "--output", "out_dir", type=PathType(), default=Path("output"),
              metavar="MAPPE", help="Mappe til rapporten (standard: output).")
@click.option("--format", "formats", default=",".join(DEFAULT_FORMATS), metavar="FORMATER",
              callback=_formats, help="Formater, kommasepareret: pdf, docx, html, json "
              f"(standard: {','.join(DEFAULT_FORMATS)}).")
@click.option("--draft", is_flag=True,
              help="Kladde: skriv rapporten trods manglende status/kommentarer, markeret.")
@click.option("--name", callback=_name, metavar="NAVN",
              help="Filnavn uden endelse (standard: arbejdsbogens eller mappens navn).")
@templates_option
@click.option("--pdf-variant", type=ChoiceType(PDF_VARIANTS), default=PDF_VARIANTS[0],
              help=f"PDF-standard: pdf/ua-1 (tilgængelig) eller pdf/a-2a / pdf/a-3a (arkiv, "
              f"også tagget) (standard: {PDF_VARIANTS[0]}).")
@click.option("--no-overview", "overview", is_flag=True, flag_value=False, default=True,
              help="Uden oversigten (tabel og diagram) før temaerne, som kildens layout.")
@detail_options
@findings_option
@accept_options
@plan_option
@previous_option
@click.option("--centre", "centres", multiple=True, metavar="KODE",
              help="Kun dette centers mål, fx CPU/BGE (kan gentages); filerne får centrets "
              "navn.")
@click.option("--split", type=ChoiceType(SPLITS), default=None,
              help="theme: ét dokument for hvert tema, med temaets navn.")
@click.option("-q", "--quiet", is_flag=True, help="Vis ikke, hvor langt byggeriet er.")
@click.option("--no-cache", "cache", is_flag=True, flag_value=False, default=True,
              help="Læg hver del af PDF'en op forfra, uden de dele, tidligere byggerier har "
              "gemt (i ~/.cache/reportgen).")
def build_command(inputs, out_dir, formats, draft, name, templates, pdf_variant, overview,
                  findings_sheet, accepted, accept_file, plan, previous, details, centres,
                  split, quiet, cache) -> None:
    from .writers.pdf.cache import default_folder
    from .writers.pdf.process import pdf_process_for

    options = RenderOptions(templates=templates, draft=draft, pdf_variant=pdf_variant,
                            overview=overview, cache=default_folder() if cache else None)
    round = _round(inputs, plan, previous, details, accepted, accept_file, centres, split)
    check_folder_target(out_dir, "Rapporten")
    if findings_sheet is not None:  # before the report, so that a failure leaves no report
        check_file_target(findings_sheet, "Fundene")
    # Started before the reader is imported and the workbooks are read, which it overlaps.
    with pdf_process_for(formats) as pdf_process:
        from .commands.build import build

        with _progress(quiet) as progress:
            outcome = build(round, out_dir, formats, options, name=name,
                            pdf_process=pdf_process, progress=progress)
    _print_findings(outcome.findings)
    _print_behind(outcome.behind)
    written = ", ".join(printable(str(p)) for p in outcome.written)
    if findings_sheet is not None:
        on_disk = f" Rapporten er skrevet til {written}." if outcome.written else \
            " Rapporten er ikke skrevet."
        _write_findings(outcome.findings, findings_sheet, on_disk, outcome.behind)
    if outcome.errors:
        from .checks.drafts import draft_helps

        click.echo(f"{len(outcome.errors)} fejl: rapporten er ikke skrevet. Ret fejlene"
                   + (" (eller byg en kladde med --draft)."
                      if draft_helps((f.code for f in outcome.errors), draft) else "."),
                   err=True)
        sys.exit(1)
    merged = sum(outcome.rows_read.values()) - outcome.goals_read
    same = f"; {merged} mål stod ens i flere rækker og er slået sammen" if merged > 0 else ""
    click.echo(f"{_summary(outcome.rows_read)}{same}{_accepted_line(outcome.findings)}; "
               f"{outcome.goals_rendered} mål skrevet til {written}.")


@contextlib.contextmanager
def _progress(quiet: bool) -> Iterator[Callable[[str, float], None] | None]:
    """How far a build is, on stderr: a bar on a terminal, else a line a step (`  40 %
    PDF-del 1 af 2 er lavet`); nothing with --quiet."""
    if quiet:
        yield None
        return
    if not sys.stderr.isatty():
        def line(step: str, fraction: float) -> None:
            click.echo(f"{round(fraction * 100):3d} % {printable(step)}", err=True)

        yield line
        return
    from tqdm import tqdm

    bar = tqdm(total=100, file=sys.stderr, leave=False, dynamic_ncols=True,
               bar_format="{percentage:3.0f} % |{bar}| {desc}")

    def show(step: str, fraction: float) -> None:
        bar.set_description_str(printable(step), refresh=False)
        more = round(fraction * 100) - bar.n
        if more > 0:
            bar.update(more)
        else:
            bar.refresh()  # the step's text

    try:
        yield show
    finally:
        bar.close()


@main.command("check", help="Tjek arbejdsbøgerne uden at skrive rapporten.")
@input_argument
@click.option("--draft", is_flag=True, help="Tjek som til en kladde.")
@findings_option
@accept_options
@plan_option
@previous_option
def check_command(inputs, draft, findings_sheet, accepted, accept_file, plan,
                  previous) -> None:
    from .commands.check import check
    from .round.progress import centres_behind

    round = _round(inputs, plan, previous, accepted=accepted, accept_file=accept_file)
    if findings_sheet is not None:
        check_file_target(findings_sheet, "Fundene")
    result, findings = check(round, draft=draft)
    _print_findings(findings)
    behind = centres_behind(result.report, result.received) if result is not None else []
    _print_behind(behind)
    if findings_sheet is not None:
        _write_findings(findings, findings_sheet, centres=behind)
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    others = len(findings) - errors
    read = _summary(result.rows_read) if result else "Intet læst"
    click.echo(f"{read}{_accepted_line(findings)}; {errors} fejl, "
               f"{_count(others, 'anden bemærkning', 'andre bemærkninger')}.")
    sys.exit(1 if errors else 0)


@main.command("template", help="Skriv en arbejdsbog til hvert center, udfyldt med centrets "
              "mål, klar til næste opfølgning.")
@input_argument
@click.option("-o", "--output", "out_dir", type=PathType(), metavar="MAPPE",
              help="Mappe til arbejdsbøgerne (skal angives).")
@click.option("--centre", "centres", multiple=True, metavar="KODE",
              help="Kun dette center (kan gentages), fx CPU/BGE.")
@click.option("--deadline", callback=_sheet_text, metavar="TEKST",
              help="Fristen, som den skal stå i vejledningen.")
@click.option("--return-to", callback=_sheet_text, metavar="TEKST",
              help="Hvem arbejdsbogen sendes tilbage til.")
@click.option("--templates", type=FolderType(), default=DEFAULT_TEMPLATES, metavar="MAPPE",
              help="Mappe med skabelonerne (ordlyden; standard: programmets egne).")
@click.option("--force", is_flag=True,
              help="Overskriv arbejdsbøger, der allerede ligger i mappen.")
@detail_options
def template_command(inputs, out_dir, centres, deadline, return_to, templates, force,
                     details) -> None:
    from .commands.template import template, write_workbooks

    if out_dir is None:  # not click's required=True, whose help says "[required]"
        raise WrongUsage(USAGE, "Tilvalget »-o/--output« skal angives: mappen til "
                         "arbejdsbøgerne.")
    round = _round(inputs, details=details, centres=centres)
    check_folder_target(out_dir, "Arbejdsbøgerne")
    outcome = template(round, deadline, return_to, templates)
    _print_findings(outcome.findings)
    if outcome.errors or not outcome.files:
        click.echo("Arbejdsbøgerne er ikke skrevet.", err=True)
        sys.exit(1)
    files = outcome.files
    write_workbooks(files, out_dir, force)
    click.echo(f"{_count(len(files), 'arbejdsbog', 'arbejdsbøger')} skrevet til "
               f"{printable(str(out_dir))}: {', '.join(printable(n) for n in files)}.")


def _port(ctx, param, value: int) -> int:
    if not 1 <= value <= 65535:
        raise WrongUsage(USAGE, f"Tilvalget »--port« skal være et tal fra 1 til 65535, ikke "
                         f"{value}.", ctx)
    return value


def _at_least_one(ctx, param, value: int) -> int:
    if value < 1:
        raise WrongUsage(USAGE, f"Tilvalget {_param_name(param)} skal være mindst 1.", ctx)
    return value


@main.command("serve", help="Start web-siden til sekretariatet: upload arbejdsbøgerne, se "
              "fundene, hent rapporten.")
@click.option("--host", default="127.0.0.1", metavar="ADRESSE",
              help="Adressen, serveren lytter på (standard: 127.0.0.1, kun denne maskine).")
@click.option("--port", type=int, default=8000, callback=_port, metavar="PORT",
              help="Porten (standard: 8000).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAVN",
              help="Et værtsnavn mere, siden må kaldes ved (fx navnet bag en reverse proxy); "
              "kan gentages.")
@click.option("--workers", type=int, default=2, callback=_at_least_one, metavar="ANTAL",
              help="Byggeprocesser (standard: 2).")
@click.option("--queue", type=int, default=8, callback=_at_least_one, metavar="ANTAL",
              help="Byggerier, der må vente, før serveren svarer »prøv igen« (standard: 8).")
@click.option("--timeout", type=float, default=300.0, metavar="SEKUNDER",
              help="Længste tid for ét byggeri (standard: 300).")
@click.option("--cache", is_flag=True,
              help="Gem PDF'ens dele mellem byggerier (i ~/.cache/reportgen), så en rapport, "
              "der bygges igen, kun lægges op, hvor den er ændret. Uden: siden gemmer intet.")
def serve_command(host, port, allow_hosts, workers, queue, timeout, cache) -> None:
    try:
        from .web import serve
    except ImportError as exc:
        raise ReportgenError(SYSTEM, "Web-siden kræver Starlette og uvicorn: installér dem "
                             f"med »pip install 'reportgen[web]'« ({printable(str(exc))}).",
                             ) from exc
    for name in allow_hosts:
        if not name or any(c in name for c in "/ :@") or not name.isprintable():
            raise WrongUsage(USAGE, f"{_quote(name)} er ikke et værtsnavn (--allow-host).")
    from .writers.pdf.cache import default_folder

    serve(host, port, allow_hosts, workers, queue, timeout,
          default_folder() if cache else None)
