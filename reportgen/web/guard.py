"""The guard in front of everything: a Host the server does not answer to, a POST from
another site's page, a body larger than allowed, each refused before the application reads
the body; and the security headers on every answer."""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse

from .errors import TooLarge, WebError, error_body
from .settings import Settings

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"referrer-policy", b"no-referrer"),
                    (b"x-frame-options", b"DENY"),
                    (b"cache-control", b"no-store")]


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
