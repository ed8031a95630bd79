"""The page's one edge: every refusal is a WebError (a ReportgenError with the HTTP status
it is answered with) and goes out as `{"error": {"code", "message"}}`, its code said once;
anything unforeseen as RG990, never a traceback."""

from __future__ import annotations

from collections.abc import Callable

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import ReportgenError
from .pool import JobFailed


class WebError(ReportgenError):
    """A refusal: a ReportgenError with the HTTP status it is answered with, and what else
    the answer holds (`more`: the findings)."""

    def __init__(self, status: int, code: str, message: str,
                 more: dict | None = None) -> None:
        super().__init__(code, message)
        self.status, self.more = status, more


class TooLarge(WebError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, "RG701", f"Forespørgslen er for stor: højst "
                         f"{megabytes(limit)} i alt. Send færre eller mindre filer ad gangen.")


def megabytes(size: int) -> str:
    return f"{size / 2**20:.0f} MB" if size >= 2**20 else f"{size} byte"


def error_body(code: str, message: str, more: dict | None = None) -> dict:
    """`{"error": {"code", "message"}}`, and what else the answer holds (the findings)."""
    return {"error": {"code": code, "message": message}, **(more or {})}


def job_failure(exc: JobFailed, plain: Callable[[str], str] = str) -> WebError:
    """A job that failed as the page says it: a failure reportgen foresaw with its own
    code and Danish message, any other as RG708. `plain`: the request's paths in the
    message as the user knows them (Upload.plain)."""
    said = plain(str(exc))
    if exc.code is not None:
        return WebError(500, exc.code, said)
    if exc.reason == "timeout":
        message = f"Rapporten blev ikke færdig: {said}. Prøv igen, eller byg den med " \
            "kommandoen reportgen build."
    elif exc.reason == "died":
        message = f"Rapporten kunne ikke bygges: {said}. Prøv igen."
    else:
        message = f"Rapporten kunne ikke bygges ({said[:300]}). Send denne besked til " \
            "den, der driver reportgen."
    return WebError(500, "RG708", message)


async def answer_refusal(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, WebError)
    headers = {"retry-after": str(request.app.state.web.settings.retry_after)} \
        if exc.status == 503 else None
    return JSONResponse(error_body(exc.code, exc.message, exc.more), exc.status,
                        headers=headers)


async def answer_http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code, message = ("RG707", "Siden findes ikke.") if exc.status_code == 404 else \
        ("RG700", "Forespørgslen kan ikke besvares sådan.")
    return JSONResponse(error_body(code, message), exc.status_code)


async def answer_unforeseen(request: Request, exc: Exception) -> Response:
    return JSONResponse(error_body("RG990", "reportgen stødte på en uventet fejl "
                                   f"({type(exc).__name__}). Send denne besked til den, der "
                                   "driver reportgen."), 500)
