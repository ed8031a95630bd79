"""The secretariat's web page (`reportgen serve`): upload the workbooks, see the findings
and who has reported, build the report and download it — and the API under the page.
Starlette only: the page makes a `round.Round` of what it is given and hands it to
commands/, in the build processes, never on the event loop.

- app.py: the routes, the jobs and their files, the application;
- guard.py: Host, Origin, body size and security headers, before anything is read;
- uploads.py: the form and its files saved under names of our own, and the Round of them;
- jobs.py: what runs in the build processes (calls into commands/);
- pool.py: the warm build processes;
- errors.py: the one edge: a refusal a status and `{"error": {"code", "message"}}`,
  anything unforeseen RG990, never a traceback;
- settings.py: what the server allows.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def serve(host: str, port: int, allow_hosts: Sequence[str], workers: int, queue: int,
          timeout: float, cache: Path | None = None) -> str | None:
    """Run the page with uvicorn; the build pool is forked first, while this process has
    one thread, and stopped when the server stops. `cache`: the folder to keep the PDF's
    laid-out parts in, if the operator wants them kept. Returns once the server has
    stopped, its build processes have ended and been waited for, and its temporary
    folder is gone: with the name of the signal that stopped it (SIGTERM, SIGINT)."""
    import signal

    import uvicorn

    from .app import create_app
    from .jobs import prepare_worker
    from .pool import BuildPool
    from .settings import Settings

    hosts = tuple(dict.fromkeys(("127.0.0.1", "localhost", *allow_hosts,
                                 *([host] if host not in ("0.0.0.0", "::") else []))))
    server: uvicorn.Server | None = None
    stopped_by: list[signal.Signals] = []

    def stop(signum: int, frame) -> None:
        # uvicorn listens for these while it serves, stops, and then raises the signal
        # again with the handler it found: Python's own would end this process there,
        # before the build processes are stopped and waited for (left as zombies for
        # a moment, the status that of a kill). This one notes it, and the server
        # returns. Before uvicorn listens, the server is told to stop as soon as it starts.
        stopped_by.append(signal.Signals(signum))
        if server is not None:
            server.should_exit = True

    with BuildPool(workers, queue, timeout, prepare=prepare_worker) as pool:
        # Once the build processes are forked: they keep Python's own handlers.
        earlier = {signum: signal.signal(signum, stop)
                   for signum in (signal.SIGTERM, signal.SIGINT)}
        try:
            app = create_app(pool, Settings(allowed_hosts=hosts, cache=cache))
            server = uvicorn.Server(uvicorn.Config(app, host=host, port=port,
                                                   log_level="warning", server_header=False))
            server.should_exit = bool(stopped_by)
            server.run()
        finally:
            for signum, handler in earlier.items():
                signal.signal(signum, handler)
    return stopped_by[0].name if stopped_by else None
