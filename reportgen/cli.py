"""The command line: `reportgen build` and `reportgen check`.

Exit codes: 0 done, 1 the input has errors (nothing written), 2 wrong usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .model import Finding, Severity
from .writers import DEFAULT_FORMATS, DEFAULT_TEMPLATES, PDF_VARIANTS, RenderOptions, format_list

# The workbook reader and the writers are imported by the commands that use them: `build`
# starts its PDF process first, so that WeasyPrint's import there overlaps these.

DEFAULT_INPUT = Path("input")


def _inputs(paths: tuple[Path, ...]) -> list[Path]:
    inputs = list(paths) or [DEFAULT_INPUT]
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        raise click.UsageError(f"RG001 Findes ikke: {', '.join(missing)}")
    return inputs


def _formats(ctx, param, value: str) -> list[str]:
    try:
        return format_list(value)
    except ValueError as exc:
        raise click.BadParameter(
            f"ukendt format »{exc}«; vælg blandt pdf, docx, html, json") from None


def _report_findings(findings: list[Finding], sheet: Path | None) -> None:
    from .build import write_atomically
    from .findings import render_findings

    for finding in findings:
        click.echo(str(finding))
    if sheet is not None:
        sheet.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(sheet, render_findings(findings, sheet))
        click.echo(f"Fundene er skrevet til {sheet}.")


def _findings_path(ctx, param, value: Path | None) -> Path | None:
    if value is not None and value.suffix.lower() not in (".xlsx", ".csv"):
        raise click.BadParameter("skal ende på .xlsx eller .csv")
    return value


findings_option = click.option(
    "--findings", "findings_sheet", type=click.Path(path_type=Path, dir_okay=False),
    callback=_findings_path, help="Skriv fundene som regneark (.xlsx eller .csv), der kan "
    "filtreres pr. center.")


def _summary(rows_read: dict[str, int]) -> str:
    total = sum(rows_read.values())
    files = "; ".join(f"{name}: {count}" for name, count in rows_read.items())
    noun = "arbejdsbog" if len(rows_read) == 1 else "arbejdsbøger"
    return f"Læst {total} mål fra {len(rows_read)} {noun} ({files})"


input_argument = click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))


@click.group(help="Strategiplan-opfølgning: fra centrenes arbejdsbøger til rapport i PDF og Word.")
@click.version_option(package_name="reportgen")
def main() -> None:
    pass


@main.command("build",
              help="Tjek arbejdsbøgerne og skriv rapporten (standard: alle .xlsx i input/).")
@input_argument
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path),
              default=Path("output"), show_default=True, help="Mappe til rapporten.")
@click.option("--format", "formats", default=",".join(DEFAULT_FORMATS), show_default=True,
              callback=_formats, help="Formater, kommasepareret: pdf, docx, html, json.")
@click.option("--draft", is_flag=True,
              help="Kladde: skriv rapporten trods manglende status/kommentarer, markeret.")
@click.option("--name", help="Filnavn uden endelse (standard: arbejdsbogens eller mappens navn).")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
              default=DEFAULT_TEMPLATES, help="Mappe med skabelonerne.")
@click.option("--pdf-variant", type=click.Choice(PDF_VARIANTS), default=PDF_VARIANTS[0],
              show_default=True, help="PDF-standard: pdf/ua-1 (tilgængelig) eller pdf/a-2a / "
              "pdf/a-3a (arkiv, også tagget).")
@findings_option
def build_command(inputs, out_dir, formats, draft, name, templates, pdf_variant,
                  findings_sheet) -> None:
    from .writers.parallel import PdfProcess

    options = RenderOptions(templates=templates, draft=draft, pdf_variant=pdf_variant)
    paths = _inputs(inputs)
    pdf_process = PdfProcess().start() if "pdf" in formats else None
    from .build import OutputError, build

    try:
        outcome = build(paths, out_dir, formats, options, name=name, pdf_process=pdf_process)
    except OutputError as exc:  # the disk refused: the message says what is on disk
        click.echo(f"RG900 fejl: Rapporten kunne ikke skrives. {exc}", err=True)
        sys.exit(1)
    except (RuntimeError, OSError) as exc:  # a writer or the disk failed: nothing replaced
        click.echo(f"RG900 fejl: Rapporten kunne ikke skrives; intet er ændret i {out_dir}. "
                   f"Send denne besked til den, der driver reportgen.\n{exc}", err=True)
        sys.exit(1)
    finally:
        if pdf_process is not None:
            pdf_process.stop()
    _report_findings(outcome.findings, findings_sheet)
    if outcome.errors:
        click.echo(f"{len(outcome.errors)} fejl: rapporten er ikke skrevet. "
                   "Ret fejlene (eller byg en kladde med --draft).", err=True)
        sys.exit(1)
    written = ", ".join(str(p) for p in outcome.written)
    merged = sum(outcome.rows_read.values()) - outcome.goals_rendered
    same = f"; {merged} mål stod ens i flere rækker og er slået sammen" if merged else ""
    click.echo(f"{_summary(outcome.rows_read)}{same}; {outcome.goals_rendered} mål skrevet "
               f"til {written}.")


@main.command("check", help="Tjek arbejdsbøgerne uden at skrive rapporten.")
@input_argument
@click.option("--draft", is_flag=True, help="Tjek som til en kladde.")
@findings_option
def check_command(inputs, draft, findings_sheet) -> None:
    from .build import check

    result, findings = check(_inputs(inputs), draft=draft)
    _report_findings(findings, findings_sheet)
    errors = sum(1 for f in findings if f.severity is Severity.ERROR)
    read = _summary(result.rows_read) if result else "Intet læst"
    click.echo(f"{read}; {errors} fejl, {len(findings) - errors} andre bemærkninger.")
    sys.exit(1 if errors else 0)


# What a template blanks anyway: the statuses and comments of the plan it is made from.
STATUS_FINDINGS = {"RG201", "RG202", "RG205", "RG211", "RG212"}


@main.command("template", help="Skriv en arbejdsbog til hvert center, udfyldt med centrets "
              "mål, klar til næste opfølgning.")
@input_argument
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path), required=True,
              help="Mappe til arbejdsbøgerne.")
@click.option("--follow-up", help="Opfølgningens navn, fx »Opfølgning januar 2019«.")
@click.option("--centre", "centres", multiple=True,
              help="Kun dette center (kan gentages), fx CPU/BGE.")
@click.option("--deadline", help="Fristen, som den skal stå i vejledningen.")
@click.option("--return-to", help="Hvem arbejdsbogen sendes tilbage til.")
@click.option("--templates", type=click.Path(path_type=Path, file_okay=False, exists=True),
              default=DEFAULT_TEMPLATES, help="Mappe med skabelonerne (ordlyden).")
def template_command(inputs, out_dir, follow_up, centres, deadline, return_to,
                     templates) -> None:
    from .build import check, write_atomically
    from .centre_workbooks import centre_workbooks
    from .wording import load_wording

    result, findings = check(_inputs(inputs), templates=templates)
    findings = [f for f in findings if f.code not in STATUS_FINDINGS]
    _report_findings(findings, None)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    known = {goal.centre for goal in result.report.goals()} if result else set()
    unknown = [c for c in centres if c not in known]
    for centre in unknown:
        click.echo(f"RG501 fejl: Centret »{centre}« har ingen mål i input. Kendte centre: "
                   f"{', '.join(sorted(known)) or 'ingen'}.")
    if errors or unknown or result is None:
        click.echo("Arbejdsbøgerne er ikke skrevet.", err=True)
        sys.exit(1)
    files = centre_workbooks(result.report, load_wording(templates), follow_up, centres,
                             deadline, return_to)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        write_atomically(out_dir / name, data)
    click.echo(f"{len(files)} arbejdsbøger skrevet til {out_dir}: {', '.join(files)}.")
