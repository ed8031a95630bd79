"""The command line's one edge: every failure a line on stderr with its code, and an exit
status; never a traceback.

Exit statuses: 0 done, 1 the input has errors or an output cannot be written (nothing
written), 2 wrong usage, 130 interrupted (Ctrl-C, as a shell reports 128 + SIGINT).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Callable
from typing import NoReturn

import click

from ..errors import ReportgenError, os_reason
from ..model import printable
from .danish import usage_message

INTERRUPTED = "RG004"
SYSTEM = "RG900"       # the disk or the system refused, unforeseen
UNFORESEEN = "RG990"   # a fault of reportgen's own
EXIT_USAGE = 2
# The library's failures that are wrong usage: an --accept that is not one, or that fits
# cells in two files (found once the workbooks are read), or whose file cannot be read.
LIBRARY_USAGE = {"RG005"}
EXIT_INTERRUPTED = 130


def at_the_edge(run: Callable[[], object]) -> NoReturn:
    """Run the command line (`run`, click's own main) and exit: with its status, or with
    what went wrong said in Danish with its code. Python's warnings are kept from the user
    unless the developer asked for them (python -W, PYTHONWARNINGS)."""
    tolerant_streams()
    try:
        with warnings.catch_warnings():
            if not sys.warnoptions:
                warnings.simplefilter("ignore")
            code = run()
    except click.UsageError as exc:
        echo_usage_error(exc)
        sys.exit(EXIT_USAGE)
    except (click.Abort, KeyboardInterrupt) as exc:
        click.echo(f"{INTERRUPTED} fejl: Afbrudt.", err=True)
        interrupted = isinstance(exc, KeyboardInterrupt) or isinstance(
            exc.__cause__, KeyboardInterrupt)
        sys.exit(EXIT_INTERRUPTED if interrupted else 1)
    except ReportgenError as exc:  # the library's own failures, already in Danish
        click.echo(printable(str(exc)), err=True)
        sys.exit(EXIT_USAGE if exc.code in LIBRARY_USAGE else 1)
    except click.ClickException as exc:
        click.echo(f"{SYSTEM} fejl: {printable(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except OSError as exc:  # the disk or the system, where no command foresaw it
        click.echo(f"{SYSTEM} fejl: {os_reason(exc)}. Send denne besked til den, der "
                   "driver reportgen.", err=True)
        sys.exit(1)
    except Exception as exc:  # a fault of reportgen's own: said, not a traceback
        if os.environ.get("REPORTGEN_TRACEBACK"):
            raise
        click.echo(f"{UNFORESEEN} fejl: reportgen stødte på en uventet fejl "
                   f"({type(exc).__name__}: {printable(str(exc))[:300]}). Send denne besked "
                   "til den, der driver reportgen (med REPORTGEN_TRACEBACK=1 vises "
                   "detaljerne).", err=True)
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def echo_usage_error(exc: click.UsageError) -> None:
    code, message = usage_message(exc)
    click.echo(f"{code} fejl: {message}", err=True)
    ctx = exc.ctx
    if ctx is not None:
        click.echo(ctx.get_usage(), err=True)
        click.echo(f"Se »{ctx.command_path} --help« for hjælp.", err=True)


def tolerant_streams() -> None:
    """A terminal that cannot show æ, ø, å or › gets an escape, not a UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        try:
            # any stream: one without reconfigure (replaced by a caller) is left as it is
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            pass
