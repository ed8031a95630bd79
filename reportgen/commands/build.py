"""`build`: a round checked, its documents rendered in memory, then written all or none
(files.write_all), so a failed build leaves earlier outputs untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from ..checks.guard import FROM_THE_PDF, guard_cpr_numbers
from ..contract import centre_key
from ..errors import ReportgenError, os_reason
from ..files import write_all
from ..model import Finding, Report, Severity, printable
from ..reader import ReadResult
from ..round import Round
from ..round.progress import CentreStatus, centres_behind
from ..util.native import release_memory
from ..writers import DEFAULT_FORMATS, WRITERS, RenderOptions, published_text, writer
from ..writers.pdf import pdf_html
from ..writers.pdf.process import PdfProcess
from .check import check
from .documents import (
    document_stems,
    extracts,
    of_centres,
    output_name,
    unknown_centres,
    unplaced,
)

# Told to a build's `progress(step, fraction)`: its share for reading, and where writing
# begins; the PDF counts as this many formats (its parts, then their joining, one).
Progress = Callable[[str, float], None]
READ_SHARE = 0.1
WRITE_AT = 0.95
PDF_UNITS = 4


@dataclass
class BuildResult:
    findings: list[Finding]
    rows_read: dict[str, int] = field(default_factory=dict)
    goals_read: int = 0       # in the report, merged, before any extract
    goals_rendered: int = 0   # in the documents made
    stem: str | None = None   # the whole report's file name, before a draft's `-kladde`
    documents: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes (make)
    written: list[Path] = field(default_factory=list)           # (build)
    behind: list[CentreStatus] = field(default_factory=list)  # centres with goals not reported

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def build(round: Round, out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS,
          options: RenderOptions | None = None, name: str | None = None,
          pdf_process: PdfProcess | None = None,
          progress: Progress | None = None) -> BuildResult:
    """Check, render, write: `make`, then every document written into `out_dir` at once,
    or none (files.write_all)."""
    report_progress = progress or _no_progress
    outcome = make(round, formats, options, name, pdf_process, progress)
    if not outcome.documents:
        return outcome
    report_progress("Skriver filerne", WRITE_AT)
    out_dir.mkdir(parents=True, exist_ok=True)
    outcome.written = write_all({out_dir / file: data
                                 for file, data in outcome.documents.items()})
    report_progress("Filerne er skrevet", 1.0)
    return outcome


def make(round: Round, formats: Sequence[str] = DEFAULT_FORMATS,
         options: RenderOptions | None = None, name: str | None = None,
         pdf_process: PdfProcess | None = None, progress: Progress | None = None,
         checked: Callable[[ReadResult | None, list[Finding]], None] | None = None,
         ) -> BuildResult:
    """Check, and unless the round has errors, render its documents in memory (the
    result's `documents`, by file name). A PDF process the caller's `with` has started
    (before this call, so that WeasyPrint's import overlaps the reading, as the command
    does) may be handed in, and stays the caller's to stop; else render() starts one of
    its own. The round's `centres`: only their goals (a centre without goals is an error,
    RG501); its `split="theme"`: a document for each theme (documents.py).
    `progress(step, fraction of the whole)` hears of each step as it is done, and
    `checked(result, findings)` of the check, before anything is rendered."""
    options = options or RenderOptions()
    centres = round.centres
    report_progress = progress or _no_progress
    report_progress("Læser arbejdsbøgerne", 0.0)
    result, findings = check(round, draft=options.draft, templates=options.templates)
    if result is not None and centres:
        order = list(Severity)
        findings = sorted([*unknown_centres(result.report, centres),
                           *of_centres(findings, centres)],
                          key=lambda f: order.index(f.severity))
    if result is not None:  # goals gone that no document of a split or extract holds
        findings = [*findings, *unplaced(result.report, centres, round.split)]
    outcome = BuildResult(findings, result.rows_read if result else {})
    if result is not None:
        keys = {centre_key(centre) for centre in centres}
        outcome.behind = [status for status in centres_behind(result.report, result.received)
                          if not keys or centre_key(status.centre) in keys]
    if checked is not None:
        checked(result, findings)
    if result is None or outcome.errors:
        return outcome
    report_progress("Arbejdsbøgerne er læst", READ_SHARE)
    report = result.report
    outcome.goals_read = sum(1 for _ in report.goals())
    documents = extracts(report, centres, round.split) or extracts(report, centres)
    outcome.stem = name or output_name(round.inputs, list(result.rows_read), report)
    stems = document_stems(documents, outcome.stem, name is not None, options.draft)
    share = (WRITE_AT - READ_SHARE) / len(documents)

    def steps(index: int, label: str) -> Progress:
        def step(text: str, fraction: float) -> None:
            report_progress(label + text, READ_SHARE + share * (index + fraction))
        return step

    rendered = render_all([document.report for document in documents], options, formats,
                          pdf_process, [steps(index, f"{document.theme} – " if document.theme
                                              and len(documents) > 1 else "")
                                        for index, document in enumerate(documents)])
    outcome.documents = {f"{stem}.{fmt}": data
                         for stem, outputs in zip(stems, rendered, strict=True)
                         for fmt, data in outputs.items()}
    outcome.goals_rendered = sum(1 for document in documents for _ in document.report.goals())
    return outcome


def _no_progress(step: str, fraction: float) -> None:
    pass


def render(report: Report, options: RenderOptions, formats: Sequence[str] = DEFAULT_FORMATS,
           pdf_process: PdfProcess | None = None,
           progress: Progress | None = None) -> dict[str, bytes]:
    """Every format in memory, {format: bytes}: the one way a front end makes documents.
    The PDF is made in a process of its own while the others are written (one the
    caller's `with` has started may be handed in, and stays the caller's to stop). A
    document to publish (not a draft) is guarded against CPR numbers (`guard_cpr_numbers`).
    `progress(step, fraction of this render)` as each format, and each part of the PDF,
    is done (the parts are heard of from the PDF's process)."""
    return render_all([report], options, formats, pdf_process, [progress])[0]


def render_all(reports: Sequence[Report], options: RenderOptions,
               formats: Sequence[str] = DEFAULT_FORMATS, pdf_process: PdfProcess | None = None,
               progress: Sequence[Progress | None] = ()) -> list[dict[str, bytes]]:
    """`render` for each report, in order (`progress[i]` hears of the i-th). Each PDF is
    made in a process of its own, and the next report's is begun before this one's is
    waited for: two PDFs are made at once while the other formats are written. A PDF
    process handed in makes the first report's PDF."""
    try:
        return _render_all(reports, options, formats, pdf_process, progress)
    except (RuntimeError, OSError) as exc:  # a writer, its process or the system failed
        # a forked process's failure carries its traceback: its last line says what failed
        said = os_reason(exc) if isinstance(exc, OSError) else printable(
            (str(exc).strip().splitlines() or [type(exc).__name__])[-1])
        raise ReportgenError("RG900", "Rapporten kunne ikke laves; intet er skrevet. Send "
                             f"denne besked til den, der driver reportgen.\n{said}") from exc


def _render_all(reports: Sequence[Report], options: RenderOptions, formats: Sequence[str],
                pdf_process: PdfProcess | None,
                progress: Sequence[Progress | None]) -> list[dict[str, bytes]]:
    callbacks = [*progress, *[None] * (len(reports) - len(progress))]
    outputs = []
    with ExitStack() as processes:
        def begin(index: int) -> tuple[PdfProcess, str] | None:
            if "pdf" not in formats or index >= len(reports):
                return None
            process = pdf_process if index == 0 and pdf_process is not None else \
                processes.enter_context(PdfProcess())
            html = pdf_html(reports[index], options)
            process.send(html, options.templates, options.pdf_variant, options.cache)
            return process, html

        following = begin(0)
        for index, report in enumerate(reports):
            pdf, following = following, begin(index + 1)
            outputs.append(_render_one(report, options, formats, pdf,
                                       callbacks[index] or _no_progress))
    return outputs


def _render_one(report: Report, options: RenderOptions, formats: Sequence[str],
                pdf: tuple[PdfProcess, str] | None, progress: Progress) -> dict[str, bytes]:
    """The formats but the PDF written here, the PDF received from its process (sent its
    HTML already), the CPR guard: of each document as it is published, and of the PDF's
    HTML too, before the PDF is waited for."""
    units = sum(PDF_UNITS if fmt == "pdf" else 1 for fmt in formats)
    done = 0.0

    def step(text: str, more: float) -> None:
        nonlocal done
        done += more
        progress(text, done / units)

    def part_done(part: int, parts: int) -> None:
        step(f"PDF-del {part} af {parts} er lavet", (PDF_UNITS - 1) / parts)

    rendered: dict[str, bytes] = {}
    for fmt in formats:
        if fmt != "pdf":
            rendered[fmt] = writer(fmt)(report, options)
            step(f"{WRITERS[fmt].label} er lavet", 1)
    guarded = not options.draft
    if guarded:  # while the PDF is made: the others, and the PDF's HTML, to stop early
        texts = {fmt: published_text(fmt, data) for fmt, data in rendered.items()}
        if pdf is not None:
            texts["pdf"] = published_text("html", pdf[1])
        guard_cpr_numbers(report, texts, options.templates)
    if pdf is not None:
        process = pdf[0]
        release_memory()  # the DOCX's working memory, for the PDF's processes
        if guarded:  # its reader imported while the PDF is made
            from ..writers.pdf import text  # noqa: F401
        rendered["pdf"] = process.receive(part_done)
        if guarded:  # the PDF as it is published: its parts may come from the cache
            guard_cpr_numbers(report, {"pdf": published_text("pdf", rendered["pdf"])},
                              options.templates, FROM_THE_PDF)
        step("PDF-filen er samlet", 1)
    return {fmt: rendered[fmt] for fmt in formats}


