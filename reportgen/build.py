"""The build: read and check the workbooks, render every output in memory, then write
them all or none (files.write_all), so a failed build leaves earlier outputs untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path

from .checks.acceptance import Acceptance
from .checks.acceptance import apply as apply_acceptances
from .checks.details import DETAIL_OPTIONS, given_details, personal_data_in_details
from .checks.drafts import DRAFT_GAPS
from .checks.glyphs import missing_glyphs
from .checks.guard import guard_cpr_numbers
from .design import DEFAULT_TEMPLATES
from .errors import ReportgenError, os_reason
from .extract import Extract, centre_key, extracts, of_centres, unknown_centres
from .files import NAME_BYTES, safe_name, write_all
from .model import Finding, Report, Severity, printable
from .personal_data import masked
from .reader import ReadResult, find_workbooks, read_workbooks
from .round.compare import compare
from .round.plan import no_workbooks, with_plan
from .round.previous import masked_earlier, read_previous
from .round.progress import CentreStatus, centres_behind
from .util.native import release_memory
from .writers import DEFAULT_FORMATS, RenderOptions, writer
from .writers.pdf import pdf_html
from .writers.pdf.process import PdfProcess

DRAFT_SUFFIX = "-kladde"  # a draft's file name ends so: it never replaces the report
# Told to a build's `progress(step, fraction)`: its share for reading, and where writing
# begins; the PDF counts as this many formats (its parts, then their joining, one).
Progress = Callable[[str, float], None]
READ_SHARE = 0.1
WRITE_AT = 0.95
PDF_UNITS = 4
FORMAT_NAMES = {"docx": "Word-dokumentet", "html": "HTML-filen", "json": "JSON-filen"}


@dataclass
class BuildResult:
    findings: list[Finding]
    rows_read: dict[str, int] = field(default_factory=dict)
    goals_read: int = 0       # in the report, merged, before any extract
    goals_rendered: int = 0   # in the documents written
    written: list[Path] = field(default_factory=list)
    behind: list[CentreStatus] = field(default_factory=list)  # centres with goals not reported

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def check(inputs: Sequence[Path], draft: bool = False, templates: Path = DEFAULT_TEMPLATES,
          accept: Sequence[Acceptance] = (), plan: Sequence[Path] = (),
          details: dict[str, str] | None = None, previous: Path | None = None,
          ) -> tuple[ReadResult | None, list[Finding]]:
    """Read every workbook and return the report with every finding, errors first; texts
    the templates' fonts cannot draw are warnings. With a plan (the workbooks the round
    went out from), the plan gives the goals and their order, the inputs their statuses
    (round/plan.py). `details` (field of model.Meta -> text, as `--title` and its kin give
    them) stand over the `Rapport` sheets' values and are checked as they are. With
    `previous` (the earlier follow-up's workbooks, or its JSON export), each goal carries
    its statuses there and the report the goals gone (round/compare.py; what reading it found is
    weighed as previous.py says, and is not subject to `accept`). Accepted
    findings stop nothing; in a draft, the gaps it may show do not either, and CPR numbers
    are shown masked."""
    details = given_details(details or {})
    paths, passed_over = find_workbooks(inputs)
    if not paths:
        return None, [*passed_over, no_workbooks(inputs)]
    result = read_workbooks(paths)
    findings = [*passed_over, *result.findings]
    if plan:
        plan_paths, plan_passed_over = find_workbooks(plan)
        if not plan_paths:
            return None, [*plan_passed_over, no_workbooks(plan)]
        result, findings = with_plan(read_workbooks(plan_paths), result,
                                      [*plan_passed_over, *passed_over])
    if details:
        result.report = replace(result.report, meta=replace(result.report.meta, **details))
    earlier_findings: list[Finding] = []
    if previous is not None:
        earlier, earlier_findings = read_previous(previous)
        if earlier is not None:
            result.report = masked_earlier(compare(result.report, earlier))
    options = {name: DETAIL_OPTIONS[name] for name in details}
    findings = apply_acceptances([
        *findings, *personal_data_in_details(details),
        *missing_glyphs(result.report, templates / "fonts", options)], accept)
    if draft:
        findings = [replace(f, severity=Severity.WARNING)
                    if f.code in DRAFT_GAPS and f.severity is Severity.ERROR else f
                    for f in findings]
        if any(f.code == "RG601" for f in findings):
            result.report = result.report.with_texts(masked)
    findings += earlier_findings
    order = list(Severity)
    return result, sorted(findings, key=lambda f: order.index(f.severity))


def build(inputs: Sequence[Path], out_dir: Path, formats: Sequence[str] = DEFAULT_FORMATS,
          options: RenderOptions | None = None, name: str | None = None,
          pdf_process: PdfProcess | None = None,
          accept: Sequence[Acceptance] = (), plan: Sequence[Path] = (),
          details: dict[str, str] | None = None, centres: Sequence[str] = (),
          split: str | None = None, progress: Progress | None = None,
          previous: Path | None = None) -> BuildResult:
    """Check, render, write. A PDF process the caller's `with` has started (before this
    call, so that WeasyPrint's import overlaps the reading, as the command does) may be
    handed in, and stays the caller's to stop; else render() starts one of its own.
    `details`: the round's details over the `Rapport` sheets', `previous`: the earlier
    follow-up to compare with (see `check`). `centres`:
    only their goals (a centre without goals is an error, RG501); `split="theme"`: a
    document for each theme (extract.py); all files are written at once, or none.
    `progress(step, fraction of the whole)` hears of each step as it is done."""
    options = options or RenderOptions()
    report_progress = progress or _no_progress
    report_progress("Læser arbejdsbøgerne", 0.0)
    result, findings = check(inputs, draft=options.draft, templates=options.templates,
                             accept=accept, plan=plan, details=details,
                             previous=previous)
    if result is not None and centres:
        order = list(Severity)
        findings = sorted([*unknown_centres(result.report, centres),
                           *of_centres(findings, centres)],
                          key=lambda f: order.index(f.severity))
    outcome = BuildResult(findings, result.rows_read if result else {})
    if result is not None:
        keys = {centre_key(centre) for centre in centres}
        outcome.behind = [status for status in centres_behind(result.report, result.received)
                          if not keys or centre_key(status.centre) in keys]
    if result is None or outcome.errors:
        return outcome
    report_progress("Arbejdsbøgerne er læst", READ_SHARE)
    report = result.report
    outcome.goals_read = sum(1 for _ in report.goals())
    documents = extracts(report, centres, split) or extracts(report, centres)
    stems = document_stems(documents, name or output_name(inputs, list(result.rows_read),
                                                          report), name is not None,
                           options.draft)
    share = (WRITE_AT - READ_SHARE) / len(documents)

    def steps(index: int, label: str) -> Progress:
        def step(text: str, fraction: float) -> None:
            report_progress(label + text, READ_SHARE + share * (index + fraction))
        return step

    rendered = render_all([document.report for document in documents], options, formats,
                          pdf_process, [steps(index, f"{document.theme} – " if document.theme
                                              and len(documents) > 1 else "")
                                        for index, document in enumerate(documents)])
    files = {out_dir / f"{stem}.{fmt}": data
             for stem, outputs in zip(stems, rendered, strict=True)
             for fmt, data in outputs.items()}
    outcome.goals_rendered = sum(1 for document in documents for _ in document.report.goals())
    report_progress("Skriver filerne", WRITE_AT)
    out_dir.mkdir(parents=True, exist_ok=True)
    outcome.written = write_all(files)
    report_progress("Filerne er skrevet", 1.0)
    return outcome


def _no_progress(step: str, fraction: float) -> None:
    pass


def draft_stem(stem: str, draft: bool) -> str:
    """A draft's name: `<name>-kladde`, so that it never takes the final report's place."""
    return f"{stem}{DRAFT_SUFFIX}" if draft else stem


def document_stems(documents: Sequence[Extract], base: str, given: bool,
                   draft: bool) -> list[str]:
    """Each document's file name without extension. The whole report: `base` (the name
    given, else `output_name`'s), or a centre's extract the centres' names; a theme's
    document: its theme's name, after the name given or the centres' names. A draft's
    end in `-kladde`; names that would be the same are numbered (`-2`)."""
    stems: list[str] = []
    for document in documents:
        if document.theme is None:
            stem = base if given or document.centres is None else safe_name(document.centres)
        elif given:  # the theme's name shortened where the name given is long
            room = max(NAME_BYTES, len(base.encode()))
            stem = f"{base}-{safe_name(document.theme)}"
            while len(stem.encode()) > room:
                stem = stem[:-1]
            stem = stem.rstrip("-_.")
        else:
            stem = safe_name("-".join(filter(None, (document.centres, document.theme))))
        numbered, number = stem, 1
        while numbered.casefold() in (s.casefold() for s in stems):
            number += 1
            numbered = f"{stem}-{number}"
        stems.append(numbered)
    return [draft_stem(stem, draft) for stem in stems]


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
    HTML already), the CPR guard."""
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
            step(f"{FORMAT_NAMES[fmt]} er lavet", 1)
    sources: dict[str, str | bytes] = {}
    if pdf is not None:
        process, sources["pdf"] = pdf
    if not options.draft:  # while the PDF is made: it is guarded by its HTML
        guard_cpr_numbers(report, {**rendered, **sources}, options.templates)
    if pdf is not None:
        release_memory()  # the DOCX's working memory, for the PDF's processes
        rendered["pdf"] = process.receive(part_done)
        step("PDF-filen er samlet", 1)
    return {fmt: rendered[fmt] for fmt in formats}


def output_name(inputs: Sequence[Path], files: Sequence[str], report: Report) -> str:
    """The one workbook's name, else the one folder's, else the report's title."""
    if len(files) == 1:
        return safe_name(Path(files[0]).stem)
    if len(inputs) == 1 and inputs[0].is_dir():
        return safe_name(inputs[0].resolve().name)
    return safe_name(report.meta.title or "rapport")
