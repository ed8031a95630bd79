"""The command line: `reportgen build`, `check`, `template` and `serve`, in Danish from the
usage line to the last word of an error. Click only: each command makes a `round.Round` of
its arguments and hands it to commands/; errors.py is the one place a failure becomes a
line on stderr and an exit status; danish.py and options.py are click in Danish.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import click

from ..commands.documents import SPLITS
from ..design import DEFAULT_TEMPLATES
from ..errors import ReportgenError, quote, reason
from ..files import check_file_target, check_folder_target
from ..model import Finding, Severity, printable
from ..personal_data import masked
from ..writers import DEFAULT_FORMATS, FORMATS, PDF_VARIANTS, RenderOptions
from .danish import (
    USAGE,
    ChoiceType,
    Danish,
    DanishCommand,
    FolderType,
    PathType,
    WrongUsage,
    count,
    either,
)
from .errors import SYSTEM, at_the_edge
from .options import (
    accept_options,
    all_acceptances,
    at_least_one,
    detail_options,
    file_name,
    findings_option,
    input_argument,
    parse_formats,
    plan_option,
    port,
    previous_option,
    sheet_text,
    templates_option,
)

# The workbook reader and the writers are imported by the commands that use them: `build`
# starts its PDF process first, so that WeasyPrint's import there overlaps these.

DEFAULT_INPUT = Path("input")

UNWRITABLE = "RG910"   # an output cannot be written where asked; found before writing


class DanishGroup(Danish, click.Group):
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
            hint = f"; mente du {either(close)}?" if close else \
                f"; vælg {either(sorted(self.commands))}."
            raise WrongUsage(USAGE, f"Kommandoen {quote(name)} findes ikke{hint}", ctx)
        return super().resolve_command(ctx, args)

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True,
             **extra):
        if not standalone_mode:  # a caller that handles click's exceptions itself
            return super().main(args, prog_name, complete_var, False, **extra)
        at_the_edge(lambda: super(DanishGroup, self).main(args, prog_name, complete_var, False,
                                                          **extra))


# -- Parameter types and checks, each failing in Danish -------------------------------------


# -- The commands ---------------------------------------------------------------------------

def _round(inputs: tuple[Path, ...], plan: tuple[Path, ...] = (), previous: Path | None = None,
           details: dict[str, str] | None = None, accepted: Sequence = (),
           accept_file: Path | None = None, centres: Sequence[str] = (),
           split: str | None = None):
    """The round the command is asked of, each path checked to exist (RG001)."""
    from ..round import Round

    return Round(_inputs(inputs), _plan(plan), _previous(previous), details or {},
                 all_acceptances(accepted, accept_file), centres, split)


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
                         f" ikke: {', '.join(quote(p) for p in missing)}.")
    return paths


def _print_findings(findings: list[Finding]) -> None:
    for finding in findings:
        click.echo(str(finding))


def _write_findings(findings: list[Finding], sheet: Path, on_disk: str = "",
                    centres: Sequence = ()) -> None:
    """The findings sheet, and who has reported (a second sheet, or a second .csv)."""
    from ..commands.findings_sheet import render_findings
    from ..files import write_atomically

    files = render_findings(findings, sheet, centres)
    try:
        sheet.parent.mkdir(parents=True, exist_ok=True)
        for path, data in files.items():
            write_atomically(path, data)
    except OSError as exc:
        raise ReportgenError(UNWRITABLE, f"Fundene kunne ikke skrives til {quote(sheet)}: "
                             f"{reason(exc)}.{on_disk}") from None
    except ReportgenError as exc:  # the disk refused: the report is as `on_disk` says
        raise ReportgenError(exc.code, exc.message + on_disk) from None
    click.echo(f"Fundene er skrevet til {' og '.join(printable(str(p)) for p in files)}.")


def _summary(rows_read: dict[str, int]) -> str:
    """How many goals each workbook gave, its name shown as a finding shows it (a CPR
    number in it masked)."""
    total = sum(rows_read.values())
    files = "; ".join(f"{printable(masked(name))}: {count}" for name, count in rows_read.items())
    return (f"Læst {total} mål fra {count(len(rows_read), 'arbejdsbog', 'arbejdsbøger')}"
            f" ({files})")


def _print_behind(behind: list) -> None:
    """One line for each centre with goals not reported."""
    if behind:
        click.echo("Ikke indberettet:")
        for status in behind:
            click.echo(f"  {printable(status.line)}")


def _accepted_line(findings: list[Finding]) -> str:
    from ..checks.acceptance import accepted

    count = accepted(findings)
    return f"; {count} fund godkendt med --accept" if count else ""


@click.group("reportgen", cls=DanishGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]},
             help="Strategiplan-opfølgning: fra centrenes arbejdsbøger til rapport i PDF og Word.")
@click.version_option(package_name="reportgen", message="%(prog)s version %(version)s",
                      help="Vis versionen og afslut.")
@click.pass_context
def main(ctx: click.Context) -> None:
    if ctx.invoked_subcommand is None:
        raise WrongUsage(USAGE, f"Angiv en kommando: {either(sorted(main.commands))}.")


@main.command("build",
              help="Tjek arbejdsbøgerne og skriv rapporten (standard: alle arbejdsbøger i input/).")
@input_argument
@click.option("-o", "--output", "out_dir", type=PathType(), default=Path("output"),
              metavar="MAPPE", help="Mappe til rapporten (standard: output).")
@click.option("--format", "formats", default=",".join(DEFAULT_FORMATS), metavar="FORMATER",
              callback=parse_formats, help=f"Formater, kommasepareret: {', '.join(FORMATS)} "
              f"(standard: {','.join(DEFAULT_FORMATS)}).")
@click.option("--draft", is_flag=True,
              help="Kladde: skriv rapporten trods manglende status/kommentarer, markeret.")
@click.option("--name", callback=file_name, metavar="NAVN",
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
    from ..writers.pdf.cache import default_folder
    from ..writers.pdf.process import pdf_process_for

    options = RenderOptions(templates=templates, draft=draft, pdf_variant=pdf_variant,
                            overview=overview, cache=default_folder() if cache else None)
    round = _round(inputs, plan, previous, details, accepted, accept_file, centres, split)
    check_folder_target(out_dir, "Rapporten")
    if findings_sheet is not None:  # before the report, so that a failure leaves no report
        check_file_target(findings_sheet, "Fundene")
    # Started before the reader is imported and the workbooks are read, which it overlaps.
    with pdf_process_for(formats) as pdf_process:
        from ..commands.build import build

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
        from ..checks.drafts import draft_helps

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
    from ..commands.check import check
    from ..round.progress import centres_behind

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
               f"{count(others, 'anden bemærkning', 'andre bemærkninger')}.")
    sys.exit(1 if errors else 0)


@main.command("template", help="Skriv en arbejdsbog til hvert center, udfyldt med centrets "
              "mål, klar til næste opfølgning.")
@input_argument
@click.option("-o", "--output", "out_dir", type=PathType(), metavar="MAPPE",
              help="Mappe til arbejdsbøgerne (skal angives).")
@click.option("--centre", "centres", multiple=True, metavar="KODE",
              help="Kun dette center (kan gentages), fx CPU/BGE.")
@click.option("--deadline", callback=sheet_text, metavar="TEKST",
              help="Fristen, som den skal stå i vejledningen.")
@click.option("--return-to", callback=sheet_text, metavar="TEKST",
              help="Hvem arbejdsbogen sendes tilbage til.")
@click.option("--templates", type=FolderType(), default=DEFAULT_TEMPLATES, metavar="MAPPE",
              help="Mappe med skabelonerne (ordlyden; standard: programmets egne).")
@click.option("--force", is_flag=True,
              help="Overskriv arbejdsbøger, der allerede ligger i mappen.")
@detail_options
def template_command(inputs, out_dir, centres, deadline, return_to, templates, force,
                     details) -> None:
    from ..commands.template import WHAT, template, write_workbooks

    if out_dir is None:  # not click's required=True, whose help says "[required]"
        raise WrongUsage(USAGE, "Tilvalget »-o/--output« skal angives: mappen til "
                         "arbejdsbøgerne.")
    round = _round(inputs, details=details, centres=centres)
    check_folder_target(out_dir, WHAT)
    outcome = template(round, deadline, return_to, templates)
    _print_findings(outcome.findings)
    if outcome.errors or not outcome.files:
        click.echo("Arbejdsbøgerne er ikke skrevet.", err=True)
        sys.exit(1)
    files = outcome.files
    write_workbooks(files, out_dir, force)
    click.echo(f"{count(len(files), 'arbejdsbog', 'arbejdsbøger')} skrevet til "
               f"{printable(str(out_dir))}: {', '.join(printable(n) for n in files)}.")


@main.command("serve", help="Start web-siden til sekretariatet: upload arbejdsbøgerne, se "
              "fundene, hent rapporten.")
@click.option("--host", default="127.0.0.1", metavar="ADRESSE",
              help="Adressen, serveren lytter på (standard: 127.0.0.1, kun denne maskine).")
@click.option("--port", type=int, default=8000, callback=port, metavar="PORT",
              help="Porten (standard: 8000).")
@click.option("--allow-host", "allow_hosts", multiple=True, metavar="NAVN",
              help="Et værtsnavn mere, siden må kaldes ved (fx navnet bag en reverse proxy); "
              "kan gentages.")
@click.option("--workers", type=int, default=2, callback=at_least_one, metavar="ANTAL",
              help="Byggeprocesser (standard: 2).")
@click.option("--queue", type=int, default=8, callback=at_least_one, metavar="ANTAL",
              help="Byggerier, der må vente, før serveren svarer »prøv igen« (standard: 8).")
@click.option("--timeout", type=float, default=300.0, metavar="SEKUNDER",
              help="Længste tid for ét byggeri (standard: 300).")
@click.option("--cache", is_flag=True,
              help="Gem PDF'ens dele mellem byggerier (i ~/.cache/reportgen), så en rapport, "
              "der bygges igen, kun lægges op, hvor den er ændret. Uden: siden gemmer intet.")
def serve_command(host, port, allow_hosts, workers, queue, timeout, cache) -> None:
    try:
        from ..web import serve
    except ImportError as exc:
        raise ReportgenError(SYSTEM, "Web-siden kræver Starlette og uvicorn: installér dem "
                             f"med »pip install 'reportgen[web]'« ({printable(str(exc))}).",
                             ) from exc
    for name in allow_hosts:
        if not name or any(c in name for c in "/ :@") or not name.isprintable():
            raise WrongUsage(USAGE, f"{quote(name)} er ikke et værtsnavn (--allow-host).")
    from ..writers.pdf.cache import default_folder

    stopped_by = serve(host, port, allow_hosts, workers, queue, timeout,
                       default_folder() if cache else None)
    # the operator's log (journalctl): that it stopped, and stopped cleanly
    click.echo(f"reportgen serve er stoppet{f' ({stopped_by})' if stopped_by else ''} på "
               f"port {port}: byggeprocesserne er lukket, og serverens midlertidige filer er "
               "slettet.", err=True)
