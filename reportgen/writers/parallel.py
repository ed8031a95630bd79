"""The PDF rendered in a second process, so that it runs beside everything else.

The process starts before the workbooks are read and imports WeasyPrint meanwhile
(the import alone takes about half a second); it then takes the HTML, and the parent
writes the DOCX (and any other format) while the PDF is made. The process lays out the
PDF's parts in processes of its own, forked from it with WeasyPrint already imported,
one per core.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from pathlib import Path


def _serve(connection) -> None:
    failure = None
    try:
        from . import pdf

        pdf.prepare()
    except BaseException:  # reported when the job comes, by the parent
        failure = traceback.format_exc()
    job = connection.recv()
    if job is None:
        return
    if failure is not None:
        connection.send((False, failure))
        return
    try:
        connection.send((True, pdf.html_to_pdf(*job, processes=os.cpu_count() or 1)))
    except BaseException:  # handed to the parent, which raises it
        connection.send((False, traceback.format_exc()))


class PdfProcess:
    """`start()` early; `send(html, base_dir, variant)`, then `receive()` the PDF;
    `stop()` always (it ends the process if no job came)."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._connection, child = context.Pipe()
        # Not a daemon, which may not have processes of its own; it ends when the pipe
        # closes, and stop() ends it otherwise.
        self._process = context.Process(target=_serve, args=(child,))

    def start(self) -> PdfProcess:
        self._process.start()
        return self

    def send(self, html: str, base_dir: Path, variant: str | None) -> None:
        self._connection.send((html, base_dir, variant))

    def receive(self) -> bytes:
        try:
            ok, result = self._connection.recv()
        except (EOFError, OSError):
            raise RuntimeError("the PDF process ended without a result") from None
        finally:
            self._process.join()
        if not ok:
            raise RuntimeError(f"the PDF process failed:\n{result}")
        return result

    def stop(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
        self._connection.close()
