"""The page's application: its routes, the jobs a build leaves and their files, and
`create_app`. Uploads are read by uploads.py, checked and built by jobs.py in the build
processes (pool.py), and every refusal answered by errors.py."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from ..checks.drafts import draft_helps
from ..model import Severity
from ..reader.files import WORKBOOK_SUFFIXES, workbook_kinds
from ..writers import WRITERS
from .errors import (
    WebError,
    answer_http_error,
    answer_refusal,
    answer_unforeseen,
    error_body,
    job_failure,
)
from .guard import Guard
from .jobs import build_job, check_job
from .pool import BuildPool, JobFailed, QueueFull
from .settings import Settings
from .uploads import SERVER, flag, formats_asked, read_upload, round_of

PAGES = Path(__file__).resolve().parent / "templates"
STATIC_FILES = Path(__file__).resolve().parent / "static"


STATIC = {"app.js": "text/javascript", "app.css": "text/css"}




# What a job's files are served as: the documents as their writers say, the preview and
# the findings workbook.
MEDIA = {**{name: writer.media_type for name, writer in WRITERS.items()}, "png": "image/png",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


# What a build's check tells, in its job's state once it is made: what a check answers.
CHECKED = ("goals", "findings", "centres")


@dataclass
class Job:
    """A build: `queued` until a worker takes it, `running`, then `done` with its files or
    `failed` with why (`failure`: its code and message; a check that found errors is the
    refusal RG709). Set by the pool's thread, read by the routes: each field is set whole,
    and `state` last, so that a state read is never ahead of what it says."""

    id: str
    folder: Path
    created: float = field(default_factory=time.monotonic)
    state: str = "queued"
    progress: float = 0.0
    message: str = ""
    files: list[str] = field(default_factory=list)
    preview: str | None = None
    fetched: set[str] = field(default_factory=set)
    checked: dict | None = None  # the check's summary (CHECKED), once the check is made
    failure: WebError | None = None

    def as_json(self) -> dict:
        failure = self.failure
        return {"state": self.state, "progress": round(self.progress, 2),
                "files": [{"name": n, "url": f"/api/jobs/{self.id}/files/{n}"}
                          for n in self.files],
                "preview": f"/api/jobs/{self.id}/preview" if self.preview else None,
                "message": self.message,
                **{key: self.checked[key] if self.checked else None for key in CHECKED},
                "error": error_body(failure.code, failure.message)["error"] if failure
                else None}


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


def _submit(web: Web, function, *args, progress=None):
    try:
        return web.pool.submit(function, *args, progress=progress)
    except QueueFull:
        raise WebError(503, "RG706", "Serveren bygger allerede så mange rapporter, som den "
                       "kan nå; prøv igen om lidt.") from None


async def page(request: Request) -> Response:
    web: Web = request.app.state.web
    template = web.pages.get_template("index.html.j2")
    return HTMLResponse(template.render(limits=web.settings,
                                        workbooks=",".join(WORKBOOK_SUFFIXES),
                                        kinds=workbook_kinds()))


async def static(request: Request) -> Response:
    name = request.path_params["name"]
    if name not in STATIC:
        raise WebError(404, "RG707", "Filen findes ikke.")
    return FileResponse(STATIC_FILES / name, media_type=STATIC[name])


async def api_check(request: Request) -> Response:
    web: Web = request.app.state.web
    folder = web.folder()
    try:
        upload = await read_upload(request, folder, web.settings)
        future = _submit(web, check_job, round_of(upload), flag(upload.fields, "draft"))
        try:
            summary = await asyncio.wrap_future(future)
        except JobFailed as exc:
            raise job_failure(exc, upload.plain) from None
        summary.pop("errors")
        return JSONResponse(upload.plain_findings(summary))
    finally:
        await run_in_threadpool(shutil.rmtree, folder, True)


async def api_build(request: Request) -> Response:
    """Answered at once: 202 with the job, queued. It is checked when a worker takes it;
    a check that finds errors fails the job with the refusal (RG709) and the findings,
    what the page shows, instead of keeping the request open until then: a build at the
    back of the queue would outwait a proxy's timeout."""
    web: Web = request.app.state.web
    folder = web.folder()
    loop = asyncio.get_running_loop()
    try:
        upload = await read_upload(request, folder, web.settings)
        upload.names[folder / "rapport"] = SERVER  # where the job's files are written
        draft, formats = flag(upload.fields, "draft"), formats_asked(upload.fields)
        job = Job(secrets.token_urlsafe(16), folder)

        def progress(value: float, stage: str, data: Any = None) -> None:  # the pool's thread
            if stage == "checked":
                job.checked = upload.plain_findings(data)
            job.progress, job.state = value, "running"

        future = _submit(web, build_job, round_of(upload), draft, formats, folder / "rapport",
                         web.settings.cache, progress=progress)
    except BaseException:
        await run_in_threadpool(shutil.rmtree, folder, True)
        raise

    def finished(future) -> None:  # the pool's thread
        try:
            outcome = future.result()
        except JobFailed as exc:
            failure = job_failure(exc, upload.plain)
        else:
            if "findings" in outcome:
                job.checked = upload.plain_findings(outcome)
            if "files" in outcome:
                job.files, job.preview = outcome["files"], outcome["preview"]
                job.progress, job.message, job.state = 1.0, "Rapporten er klar.", "done"
                return
            failure = refused(outcome, draft) if "refused" in outcome else WebError(
                500, outcome["failed"], upload.plain(outcome["message"]))
        job.failure, job.message, job.state = failure, str(failure), "failed"
        # nothing to fetch: what was uploaded goes now, the job's state when it is swept
        with contextlib.suppress(RuntimeError):  # the server has stopped: all of it went
            loop.call_soon_threadsafe(_remove_later, loop, folder)

    web.jobs[job.id] = job
    future.add_done_callback(finished)
    return JSONResponse({"job": job.id, **job.as_json()}, 202,
                        headers={"location": f"/api/jobs/{job.id}"})


def _remove_later(loop: asyncio.AbstractEventLoop, folder: Path) -> None:
    """The folder removed off the event loop (the loop's thread calls this)."""
    loop.run_in_executor(None, shutil.rmtree, folder, True)


def refused(summary: dict, draft: bool) -> WebError:
    """The refusal of a final build whose check found errors: RG709, in its job's state
    beside the findings (the answer is given before the check; 422 is what it means)."""
    helps = draft_helps((f["code"] for f in summary["findings"]
                         if f["severity"] == Severity.ERROR.value), draft)
    return WebError(422, "RG709", f"Arbejdsbøgerne har {summary['errors']} fejl: rapporten er "
                    "ikke bygget. Ret fejlene" + (" (eller byg en kladde)." if helps else "."))


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
        exception_handlers={WebError: answer_refusal, HTTPException: answer_http_error,
                            Exception: answer_unforeseen},
        lifespan=lifespan)
    app.state.web = web
    return app
