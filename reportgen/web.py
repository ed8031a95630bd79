"""The secretariat's web page (`reportgen serve`): upload the workbooks, see the findings
and who has reported, build the report and download it — and the API under the page.

The one place where the web's failures become answers: every refusal is a WebError (a
status, a code, a Danish message) and goes out as `{"error": {"code", "message"}}`;
anything unforeseen as RG990, never a traceback. Uploads are bounded before they are
read in full (`Guard`), saved under names of our own in a private folder per request,
and checked and rendered only in the build processes (build_pool.py), never on the event
loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import shutil
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers, UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from .build_pool import BuildPool, JobFailed, QueueFull
from .checks.drafts import draft_helps
from .errors import ReportgenError
from .files import write_all
from .model import Finding, Severity
from .reader.files import (
    LOCK_FILE_PREFIX,
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_UNPACKED_BYTES,
    WORKBOOK_SUFFIXES,
)
from .round import Round

PAGES = Path(__file__).resolve().parent / "web_templates"
STATIC = {"app.js": "text/javascript", "app.css": "text/css"}
WEB_FORMATS = ("pdf", "docx", "json")
NAME_BYTES = 200  # a saved file's name, in bytes (file systems take 255)
MEDIA = {"pdf": "application/pdf", "json": "application/json", "png": "image/png",
         "html": "text/html; charset=utf-8",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cache-control", b"no-store")]


@dataclass(frozen=True)
class Settings:
    """What the server allows; the defaults are the reader's own limits."""

    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost")
    file_bytes: int = MAX_FILE_BYTES        # one workbook, as the reader takes it
    files: int = 40                         # workbooks in one request (a zip's too)
    request_bytes: int = 2 * MAX_FILE_BYTES + 2**20
    keep_seconds: float = 30 * 60           # a job's files, if not all fetched before
    retry_after: int = 10                   # seconds, when the queue is full
    # The folder the PDF's laid-out parts are kept in between builds (pdf_cache); by
    # default none: the page keeps nothing of what it is given.
    cache: Path | None = None


class WebError(ReportgenError):
    """A refusal: a ReportgenError with the HTTP status it is answered with, and what else
    the answer holds (`more`: the findings)."""

    def __init__(self, status: int, code: str, message: str,
                 more: dict | None = None) -> None:
        super().__init__(code, message)
        self.status, self.more = status, more


class TooLarge(WebError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, "RG701", f"Forespørgslen er for stor: højst {_mb(limit)} i alt. "
                         "Send færre eller mindre filer ad gangen.")


def _mb(size: int) -> str:
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{size} byte"


def error_body(code: str, message: str, more: dict | None = None) -> dict:
    """`{"error": {"code", "message"}}`, and what else the answer holds (the findings)."""
    return {"error": {"code": code, "message": message}, **(more or {})}


# -- The guard: Host, Origin, body size, security headers --------------------------------

class Guard:
    """ASGI middleware in front of everything: a Host the server does not answer to, a
    POST from another site's page, a body larger than allowed (by its Content-Length, or
    counted as it streams in), each refused before the application reads the body; every
    answer gets the security headers."""

    def __init__(self, app, settings: Settings) -> None:
        self.app, self.settings = app, settings

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def secured(message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        headers = Headers(scope=scope)
        refusal = self._refusal(scope["method"], headers)
        if refusal is not None:
            response = JSONResponse(error_body(refusal.code, refusal.message), refusal.status)
            await response(scope, receive, secured)
            return
        limit, seen = self.settings.request_bytes, 0

        async def counted():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge(limit)
            return message

        await self.app(scope, counted, secured)

    def _refusal(self, method: str, headers: Headers) -> WebError | None:
        host = headers.get("host", "")
        if _hostname(host) not in self.settings.allowed_hosts:
            return WebError(400, "RG705", "Serveren svarer ikke på dette værtsnavn "
                            f"({host[:100]!r}). Tilføj det med --allow-host.")
        if method not in ("GET", "HEAD", "OPTIONS"):
            origin = headers.get("origin")
            if origin is not None and (origin == "null" or urlsplit(origin).netloc != host):
                return WebError(403, "RG705", "Forespørgsler fra en anden hjemmeside "
                                "afvises: brug reportgens egen side.")
            if headers.get("sec-fetch-site") == "cross-site":
                return WebError(403, "RG705", "Forespørgsler fra en anden hjemmeside "
                                "afvises: brug reportgens egen side.")
            length = headers.get("content-length")
            if length is not None and (not length.isdigit()
                                       or int(length) > self.settings.request_bytes):
                return TooLarge(self.settings.request_bytes)
        return None


def _hostname(host: str) -> str:
    """`127.0.0.1:8000` -> `127.0.0.1`, `[::1]:8000` -> `::1`."""
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


# -- Uploads -----------------------------------------------------------------------------

@dataclass
class Upload:
    """A request's files, saved in its own folder under names of our own."""

    folder: Path
    inputs: list[Path] = field(default_factory=list)
    plan: list[Path] = field(default_factory=list)
    previous: list[Path] = field(default_factory=list)  # at most one: a workbook or a JSON
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def previous_path(self) -> Path | None:
        return self.previous[0] if self.previous else None


def saved_name(name: str) -> str:
    """A file name of the upload, as it is saved: its own name only. A name that holds a
    path, a NUL or any other control character is refused (a browser sends none); a
    very long one is shortened, keeping its extension."""
    name = unicodedata.normalize("NFC", name)
    if (not name or name in (".", "..") or any(c in name for c in "/\\")
            or any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in name)):
        raise WebError(400, "RG704", f"Filnavnet {name[:80]!r} kan ikke bruges: det må ikke "
                       "indeholde en sti (/ eller \\) eller kontroltegn. Omdøb filen.")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    suffix = f".{suffix}" if dot else ""
    while len((stem + suffix).encode()) > NAME_BYTES:
        stem = stem[:-1]
    return (stem or "fil") + suffix


async def read_upload(request: Request, folder: Path, settings: Settings) -> Upload:
    """The form's `files` (workbooks, or one .zip of them), `plan` files and `previous`
    file (the previous follow-up: a workbook or its JSON export) saved in `folder`, each
    `<n>/<its own name>`; the other fields as text."""
    try:
        form = await request.form(max_files=settings.files * 2 + 1, max_fields=20)
    except HTTPException as exc:
        if "files" in str(exc.detail).lower():
            raise _too_many(settings) from exc
        raise WebError(400, "RG700", "Forespørgslen kunne ikke læses som en formular med "
                       "filer (multipart/form-data).") from exc
    try:
        upload = Upload(folder)
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        plan = [f for f in form.getlist("plan") if isinstance(f, UploadFile)]
        previous = [f for f in form.getlist("previous") if isinstance(f, UploadFile)]
        upload.fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
        if not files:
            raise WebError(400, "RG700", "Vælg mindst én arbejdsbog (feltet »files«).")
        if len(files) > settings.files or len(plan) > settings.files:
            raise _too_many(settings)
        if len(previous) > 1:
            raise WebError(400, "RG700", "Vælg højst én fil som den forrige opfølgning "
                           "(feltet »previous«): en arbejdsbog eller dens JSON-eksport.")
        count = 0
        for kind, uploads, into in (("files", files, upload.inputs),
                                    ("plan", plan, upload.plan),
                                    ("previous", previous, upload.previous)):
            for item in uploads:
                count += 1
                name = saved_name(item.filename or "")
                suffix = Path(name).suffix.lower()
                if item.size is not None and item.size > settings.file_bytes:
                    raise WebError(413, "RG701", f"Filen {name!r} er for stor: højst "
                                   f"{_mb(settings.file_bytes)} pr. fil.")
                if suffix == ".zip" and kind == "files" and len(files) == 1:
                    into.append(await run_in_threadpool(
                        _unpack, item, folder / str(count), name, settings))
                elif suffix in WORKBOOK_SUFFIXES or (kind == "previous" and suffix == ".json"):
                    saved = await run_in_threadpool(_save, item, folder / str(count), name)
                    # Excel's lock file, chosen with the workbooks: handed as the folder it
                    # is saved in, alone, which the reader passes over with its notice
                    # (RG010), as it does a zip's or a folder's. A previous follow-up is
                    # one file: a lock file there is what it is, read and refused.
                    lock = name.startswith(LOCK_FILE_PREFIX) and kind != "previous"
                    into.append(saved.parent if lock else saved)
                else:
                    raise WebError(415, "RG703", f"Filen {name!r} er ikke en arbejdsbog (.xlsx, "
                                   ".xls eller .ods): vælg arbejdsbøgerne, eller én .zip med "
                                   "dem.")
        return upload
    finally:
        await form.close()


def _too_many(settings: Settings) -> WebError:
    return WebError(413, "RG702", f"For mange filer: højst {settings.files} arbejdsbøger ad "
                    "gangen.")


def _save(item: UploadFile, folder: Path, name: str) -> Path:
    folder.mkdir()
    path = folder / name
    item.file.seek(0)
    with path.open("xb") as out:
        shutil.copyfileobj(item.file, out, 2**20)
    return path


def _unpack(item: UploadFile, folder: Path, name: str, settings: Settings) -> Path:
    """A .zip of workbooks unpacked into a folder named after it, by the reader's zip-bomb
    rules: the declared sizes bound what is unpacked (Python's zipfile never returns more
    than an entry declares). Each workbook is checked again by the reader. The folder is
    the input: the reader names what it passes over (hidden files, lock files, others)."""
    item.file.seek(0)
    try:
        archive = zipfile.ZipFile(item.file)
    except zipfile.BadZipFile as exc:
        raise WebError(415, "RG703", f"Filen {name!r} er ikke en gyldig .zip-fil.") from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        if len(members) > settings.files:
            raise _too_many(settings)
        unpacked = sum(m.file_size for m in members)
        ratio = max((m.file_size / max(m.compress_size, 1) for m in members
                     if m.file_size > 10 * 2**20), default=0)
        if (unpacked > MAX_UNPACKED_BYTES or ratio > MAX_COMPRESSION_RATIO
                or any(m.file_size > settings.file_bytes for m in members)):
            raise WebError(413, "RG701", f"Zip-filen {name!r} pakker sig ud til for meget "
                           f"(højst {_mb(settings.file_bytes)} pr. fil og "
                           f"{_mb(MAX_UNPACKED_BYTES)} i alt) eller er unormalt tæt pakket.")
        target = folder / (Path(name).stem or "arbejdsbøger")
        target.mkdir(parents=True)
        taken: set[str] = set()
        for member in members:
            own = re.split(r"[/\\]", member.filename)[-1]
            if not own or member.filename.startswith("__MACOSX/"):
                continue
            try:
                own = saved_name(own)
            except WebError:
                own = "fil" + Path(own).suffix[:10]
            stem, suffix, n = Path(own).stem, Path(own).suffix, 1
            while own.casefold() in taken:
                n += 1
                own = f"{stem} ({n}){suffix}"
            taken.add(own.casefold())
            with archive.open(member) as source, (target / own).open("xb") as out:
                shutil.copyfileobj(source, out, 2**20)
    return target


# -- What runs in the build processes ----------------------------------------------------

def finding_dict(finding: Finding) -> dict:
    return {"code": finding.code, "severity": finding.severity.value,
            "message": finding.message, "file": finding.file, "sheet": finding.sheet,
            "cell": finding.cell, "centre": finding.centre}


def _summary(result, findings: list[Finding]) -> dict:
    from .round.progress import centre_statuses

    centres = centre_statuses(result.report, result.received) if result is not None else []
    meta = result.report.meta if result is not None else None
    return {"goals": sum(1 for _ in result.report.goals()) if result is not None else 0,
            "details": {name: getattr(meta, name) for name in DETAILS} if meta else {},
            "findings": [finding_dict(f) for f in findings],
            "centres": [{"centre": c.centre, "goals": c.goals, "reported": c.reported,
                         "missing": list(c.missing), "received": c.received, "line": c.line}
                        for c in centres],
            "errors": sum(f.severity is Severity.ERROR for f in findings)}


def check_job(progress, round: Round, draft: bool) -> dict:
    from .commands.check import check

    return _summary(*check(round, draft=draft))


def build_job(progress, round: Round, draft: bool, formats: list[str], out: Path,
              cache: Path | None = None) -> dict:
    """Check; stop if the input has errors; else render, and write the files into `out`:
    the formats asked for, the findings sheet and page 1 of the PDF as a picture."""
    from .commands.build import make
    from .commands.documents import draft_stem
    from .commands.findings_sheet import render_findings
    from .writers import RenderOptions

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
    except ReportgenError as exc:
        return {"failed": exc.code, "message": str(exc), **summary}
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
    from .commands import build  # noqa: F401
    from .writers import docx, html, json, pdf  # noqa: F401
    from .writers.pdf import engine

    engine.load_weasyprint()
    with contextlib.suppress(ImportError):
        import pypdfium2  # noqa: F401
        from PIL import Image  # noqa: F401


# -- Jobs --------------------------------------------------------------------------------

@dataclass
class Job:
    id: str
    folder: Path
    created: float = field(default_factory=time.monotonic)
    state: str = "queued"
    progress: float = 0.0
    message: str = ""
    files: list[str] = field(default_factory=list)
    preview: str | None = None
    fetched: set[str] = field(default_factory=set)
    failure: WebError | None = None  # why the job failed, where it did before its check

    def as_json(self) -> dict:
        return {"state": self.state, "progress": round(self.progress, 2),
                "files": [{"name": n, "url": f"/api/jobs/{self.id}/files/{n}"}
                          for n in self.files],
                "preview": f"/api/jobs/{self.id}/preview" if self.preview else None,
                "message": self.message}


class Web:
    """The application's state: its settings, the build pool, the jobs and the folder
    every request works in."""

    def __init__(self, settings: Settings, pool: BuildPool) -> None:
        self.settings, self.pool = settings, pool
        self.jobs: dict[str, Job] = {}
        self.root: Path | None = None
        self.pages = Environment(loader=FileSystemLoader(PAGES), autoescape=True,
                                 undefined=StrictUndefined)

    def folder(self) -> Path:
        assert self.root is not None, "the application's lifespan has not started"
        return Path(tempfile.mkdtemp(dir=self.root))

    def sweep(self, now: float | None = None) -> None:
        """Forget the jobs older than the time their files are kept, and their folders."""
        now = time.monotonic() if now is None else now
        for job in list(self.jobs.values()):
            if now - job.created > self.settings.keep_seconds and job.state in ("done",
                                                                                 "failed"):
                self.forget(job)

    def forget(self, job: Job) -> None:
        self.jobs.pop(job.id, None)
        shutil.rmtree(job.folder, ignore_errors=True)


def _flag(fields: dict[str, str], name: str) -> bool:
    return fields.get(name, "").strip().lower() in ("1", "true", "on", "ja", "yes")


# The report's details the page shows and may change: field of model.Meta, as the form
# names them (the command line's --title and its kin).
DETAILS = ("title", "subtitle", "case_number", "case_handler", "date", "revised", "follow_up")


def _details(fields: dict[str, str]) -> dict[str, str]:
    """The details the form gives (an empty field leaves the detail out); a date in
    figures that is no date is refused here, before any work."""
    from .dates import figures_date

    given = {name: fields[name] for name in DETAILS if name in fields}
    if any(len(text) > 1000 or not text.isprintable() for text in given.values()):
        raise WebError(400, "RG700", "En rapportoplysning er for lang eller har kontroltegn.")
    try:
        figures_date(given.get("date") or "")
    except ValueError:
        raise WebError(400, "RG700", "Datoen findes ikke. Skriv den som 2019-01-15 eller "
                       "15.01.2019, eller med ord.") from None
    return given


def _formats(fields: dict[str, str]) -> list[str]:
    from .writers import format_list

    try:
        return format_list(fields.get("formats") or ",".join(WEB_FORMATS))
    except ValueError as exc:
        raise WebError(400, "RG700", f"Ukendt format: {str(exc)[:80]!r}; vælg blandt pdf, "
                       "docx, html og json.") from exc


def _round(upload: Upload) -> Round:
    """The round the page is asked of: the workbooks, the plan and the previous follow-up
    uploaded, and the report's details typed in."""
    return Round(upload.inputs, upload.plan, upload.previous_path, _details(upload.fields))


def _submit(web: Web, function, *args, progress=None):
    try:
        return web.pool.submit(function, *args, progress=progress)
    except QueueFull:
        raise WebError(503, "RG706", "Serveren bygger allerede så mange rapporter, som den "
                       "kan nå; prøv igen om lidt.") from None


def _failed(exc: JobFailed) -> WebError:
    """A job that failed as the page says it: a failure reportgen foresaw with its own
    code and Danish message, any other as RG708."""
    if exc.code is not None:
        return WebError(500, exc.code, str(exc))
    if exc.reason == "timeout":
        message = f"Rapporten blev ikke færdig: {exc}. Prøv igen, eller byg den med " \
            "kommandoen reportgen build."
    elif exc.reason == "died":
        message = f"Rapporten kunne ikke bygges: {exc}. Prøv igen."
    else:
        message = f"Rapporten kunne ikke bygges ({str(exc)[:300]}). Send denne besked til " \
            "den, der driver reportgen."
    return WebError(500, "RG708", message)


async def page(request: Request) -> Response:
    web: Web = request.app.state.web
    template = web.pages.get_template("index.html.j2")
    return HTMLResponse(template.render(limits=web.settings, formats=WEB_FORMATS,
                                        workbooks=",".join(WORKBOOK_SUFFIXES)))


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        raise WebError(404, "RG707", "Filen findes ikke.")
    return FileResponse(PAGES / "static" / name, media_type=STATIC[name])


async def api_check(request: Request) -> Response:
    web: Web = request.app.state.web
    folder = web.folder()
    try:
        upload = await read_upload(request, folder, web.settings)
        future = _submit(web, check_job, _round(upload), _flag(upload.fields, "draft"))
        try:
            summary = await asyncio.wrap_future(future)
        except JobFailed as exc:
            raise _failed(exc) from None
        summary.pop("errors")
        return JSONResponse(summary)
    finally:
        await run_in_threadpool(shutil.rmtree, folder, True)


async def api_build(request: Request) -> Response:
    web: Web = request.app.state.web
    folder = web.folder()
    job = Job(secrets.token_urlsafe(16), folder)
    loop = asyncio.get_running_loop()
    checked: asyncio.Future = loop.create_future()

    def progress(value: float, stage: str, data: Any = None) -> None:  # the pool's thread
        job.state, job.progress = "running", value
        if stage == "checked":
            loop.call_soon_threadsafe(lambda: checked.done() or checked.set_result(data))

    def finished(future) -> None:  # the pool's thread
        try:
            outcome = future.result()
        except JobFailed as exc:
            job.failure = _failed(exc)
            job.state, job.message = "failed", str(job.failure)
            return
        if "files" in outcome:
            job.files, job.preview = outcome["files"], outcome["preview"]
            job.state, job.progress, job.message = "done", 1.0, "Rapporten er klar."
        else:
            job.state, job.message = "failed", outcome.get("message", "Rapporten er ikke bygget.")

    try:
        upload = await read_upload(request, folder, web.settings)
        draft, formats = _flag(upload.fields, "draft"), _formats(upload.fields)
        future = _submit(web, build_job, _round(upload), draft, formats, folder / "rapport",
                         web.settings.cache, progress=progress)
    except BaseException:
        await run_in_threadpool(shutil.rmtree, folder, True)
        raise
    future.add_done_callback(finished)
    web.jobs[job.id] = job
    done = asyncio.wrap_future(future)
    await asyncio.wait({checked, done}, return_when=asyncio.FIRST_COMPLETED)
    summary = checked.result() if checked.done() else None
    if summary is None or summary["errors"]:
        with contextlib.suppress(BaseException):
            await done
        web.forget(job)
        if summary is None:
            raise job.failure or WebError(500, "RG708", "Rapporten kunne ikke bygges.")
        helps = draft_helps((f["code"] for f in summary["findings"]
                             if f["severity"] == Severity.ERROR.value), draft)
        raise WebError(422, "RG709", f"Arbejdsbøgerne har {summary['errors']} fejl: rapporten "
                       "er ikke bygget. Ret fejlene" + (" (eller byg en kladde)." if helps
                                                         else "."),
                       {key: summary[key] for key in ("goals", "findings", "centres")})
    if not done.done():
        done.add_done_callback(lambda f: f.exception())  # read by `finished`
    return JSONResponse({"job": job.id, "goals": summary["goals"],
                         "findings": summary["findings"], "centres": summary["centres"]}, 202)


def _job(request: Request) -> Job:
    web: Web = request.app.state.web
    job = web.jobs.get(request.path_params["job"])
    if job is None:
        raise WebError(404, "RG707", "Jobbet findes ikke (længere): filerne slettes, når de "
                       "er hentet, og senest efter 30 minutter. Byg rapporten igen.")
    return job


async def api_job(request: Request) -> Response:
    return JSONResponse(_job(request).as_json())


async def api_file(request: Request) -> Response:
    web: Web = request.app.state.web
    job, name = _job(request), request.path_params["name"]
    if name not in job.files:
        raise WebError(404, "RG707", "Filen findes ikke (længere). Byg rapporten igen.")
    data = await run_in_threadpool((job.folder / "rapport" / name).read_bytes)
    job.fetched.add(name)
    if job.fetched >= set(job.files):  # everything fetched: nothing is kept
        await run_in_threadpool(web.forget, job)
    return Response(data, media_type=MEDIA.get(name.rsplit(".", 1)[-1]), headers={
        "content-disposition": _attachment(name)})


async def api_preview(request: Request) -> Response:
    job = _job(request)
    if job.preview is None:
        raise WebError(404, "RG707", "Der er ingen forhåndsvisning.")
    data = await run_in_threadpool((job.folder / "rapport" / job.preview).read_bytes)
    return Response(data, media_type="image/png")


def _attachment(name: str) -> str:
    from urllib.parse import quote

    plain = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name)}"


async def _web_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    headers = {"retry-after": str(request.app.state.web.settings.retry_after)} \
        if exc.status == 503 else None
    return JSONResponse(error_body(exc.code, exc.message, exc.more), exc.status,
                        headers=headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, message = ("RG707", "Siden findes ikke.") if exc.status_code == 404 else \
        ("RG700", "Forespørgslen kan ikke besvares sådan.")
    return JSONResponse(error_body(code, message), exc.status_code)


async def _unforeseen(request: Request, exc: Exception) -> Response:
    return JSONResponse(error_body("RG990", "reportgen stødte på en uventet fejl "
                                   f"({type(exc).__name__}). Send denne besked til den, der "
                                   "driver reportgen."), 500)


def create_app(pool: BuildPool, settings: Settings | None = None) -> Starlette:
    """The application, with a started build pool (see BuildPool.start: forked before the
    server starts its threads). The pool stays the caller's to close."""
    settings = settings or Settings()
    web = Web(settings, pool)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        web.root = Path(tempfile.mkdtemp(prefix="reportgen-web-"))
        os.chmod(web.root, 0o700)

        async def sweeping():
            while True:
                await asyncio.sleep(30)
                web.sweep()

        sweeper = asyncio.create_task(sweeping())
        try:
            yield
        finally:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
            shutil.rmtree(web.root, ignore_errors=True)
            web.jobs.clear()

    from starlette.middleware import Middleware

    app = Starlette(
        routes=[Route("/", page), Route("/static/{name}", static),
                Route("/favicon.ico", lambda request: Response(status_code=204)),
                Route("/api/check", api_check, methods=["POST"]),
                Route("/api/build", api_build, methods=["POST"]),
                Route("/api/jobs/{job}", api_job),
                Route("/api/jobs/{job}/files/{name}", api_file),
                Route("/api/jobs/{job}/preview", api_preview)],
        middleware=[Middleware(Guard, settings=settings)],
        exception_handlers={WebError: _web_error, HTTPException: _http_error,
                            Exception: _unforeseen},
        lifespan=lifespan)
    app.state.web = web
    return app


def serve(host: str, port: int, allow_hosts: Sequence[str], workers: int, queue: int,
          timeout: float, cache: Path | None = None) -> None:
    """Run the page with uvicorn; the build pool is forked first, while this process has
    one thread, and stopped when the server stops. `cache`: the folder to keep the PDF's
    laid-out parts in, if the operator wants them kept."""
    import uvicorn

    hosts = tuple(dict.fromkeys(("127.0.0.1", "localhost", *allow_hosts,
                                 *([host] if host not in ("0.0.0.0", "::") else []))))
    with BuildPool(workers, queue, timeout, prepare=prepare_worker) as pool:
        app = create_app(pool, Settings(allowed_hosts=hosts, cache=cache))
        uvicorn.run(app, host=host, port=port, log_level="warning", server_header=False)
