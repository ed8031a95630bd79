"""What runs in the build processes: a check or a build of the page's round, through
commands/ as the command line makes them, and page 1 of the PDF as a picture."""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..errors import ReportgenError
from ..files import write_all
from ..model import META_TEXTS, Finding, Severity
from ..round import Round


def finding_dict(finding: Finding) -> dict:
    return {"code": finding.code, "severity": finding.severity.value,
            "message": finding.message, "file": finding.file, "sheet": finding.sheet,
            "cell": finding.cell, "centre": finding.centre}


def _summary(result, findings: list[Finding]) -> dict:
    from ..round.progress import centre_statuses

    centres = centre_statuses(result.report, result.received) if result is not None else []
    meta = result.report.meta if result is not None else None
    return {"goals": sum(1 for _ in result.report.goals()) if result is not None else 0,
            "details": {name: getattr(meta, name) for name in META_TEXTS} if meta else {},
            "findings": [finding_dict(f) for f in findings],
            "centres": [{"centre": c.centre, "goals": c.goals, "reported": c.reported,
                         "missing": list(c.missing), "received": c.received, "line": c.line}
                        for c in centres],
            "errors": sum(f.severity is Severity.ERROR for f in findings)}


def check_job(progress, round: Round, draft: bool) -> dict:
    from ..commands.check import check

    return _summary(*check(round, draft=draft))


def build_job(progress, round: Round, draft: bool, formats: list[str], out: Path,
              cache: Path | None = None) -> dict:
    """Check; stop if the input has errors; else render, and write the files into `out`:
    the formats asked for, the findings sheet and page 1 of the PDF as a picture."""
    from ..commands.build import make
    from ..commands.documents import draft_stem
    from ..commands.findings_sheet import render_findings
    from ..writers import RenderOptions

    progress(0.05, "started")
    summary: dict = {}

    def checked(result, findings) -> None:
        summary.update(_summary(result, findings))
        progress(0.3, "checked", summary)

    try:
        outcome = make(round, formats, RenderOptions(draft=draft, cache=cache),
                       progress=lambda step, fraction: progress(0.3 + 0.6 * fraction,
                                                                "rendering"),
                       checked=checked)
    except ReportgenError as exc:  # its code said once, by the page's edge
        return {"failed": exc.code, **summary,
                "message": f"{exc.where}: {exc.message}" if exc.where else exc.message}
    if not outcome.documents:
        return {"refused": True, **summary}
    progress(0.9, "rendered")
    stem = outcome.stem or "rapport"
    files = {out / name: data for name, data in outcome.documents.items()}
    # the command's `--findings` workbook: the findings, and who has reported beside them
    files.update(render_findings(outcome.findings, out / f"{stem}-fund.xlsx", outcome.behind))
    preview = out / f"{draft_stem(stem, draft)}-side-1.png"
    if "pdf" in formats:
        files[preview] = first_page_png(outcome.documents[f"{draft_stem(stem, draft)}.pdf"])
    out.mkdir(exist_ok=True)
    write_all(files)
    return {"files": [p.name for p in files if p != preview],
            "preview": preview.name if preview in files else None, **summary}


def first_page_png(pdf: bytes, width: int = 900) -> bytes:
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[0]
        bitmap = page.render(scale=width / page.get_width())
        out = io.BytesIO()
        bitmap.to_pil().save(out, format="PNG")
        return out.getvalue()
    finally:
        document.close()


def prepare_worker() -> None:
    """Run once in the build processes' manager, before it forks the workers: everything
    a build imports, WeasyPrint first."""
    from ..commands import build  # noqa: F401
    from ..writers import docx, html, json, pdf  # noqa: F401
    from ..writers.pdf import engine

    engine.load_weasyprint()
    with contextlib.suppress(ImportError):
        import pypdfium2  # noqa: F401
        from PIL import Image  # noqa: F401
