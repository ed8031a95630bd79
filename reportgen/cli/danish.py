"""click in Danish: the help's headings, a usage message for every kind of wrong usage
click knows, and parameter types that fail in Danish."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from ..errors import quote
from ..model import printable

USAGE = "RG003"  # every kind of wrong usage (RG001: an input that does not exist)

HELP_TEXT = "Vis denne hjælp og afslut."


def count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


def either(words: Sequence[str]) -> str:
    """»a«, »b« eller »c«"""
    quoted = [quote(w) for w in words]
    return quoted[0] if len(quoted) == 1 else f"{', '.join(quoted[:-1])} eller {quoted[-1]}"


class WrongUsage(click.UsageError):
    """A usage error of our own, already in Danish, with its code."""

    def __init__(self, code: str, message: str, ctx: click.Context | None = None) -> None:
        super().__init__(message, ctx or click.get_current_context(silent=True))
        self.code = code


def usage_message(exc: click.UsageError) -> tuple[str, str]:
    """(code, Danish message) for every kind of usage error click raises, or we do."""
    if isinstance(exc, WrongUsage):
        return exc.code, exc.message
    if isinstance(exc, click.NoSuchOption):
        known = f"; mente du {either(exc.possibilities)}?" if exc.possibilities else "."
        return USAGE, f"Tilvalget {quote(exc.option_name)} findes ikke{known}"
    if isinstance(exc, click.MissingParameter):
        if isinstance(exc.param, click.Argument):
            return USAGE, f"Argumentet {param_name(exc.param)} mangler."
        return USAGE, f"Tilvalget {param_name(exc.param)} skal angives."
    if isinstance(exc, click.BadParameter):
        name = param_name(exc.param) if exc.param is not None else None
        if exc.param_hint is not None:
            name = quote(exc.param_hint if isinstance(exc.param_hint, str)
                          else "/".join(exc.param_hint))
        where = f" for {name}" if name else ""
        message = printable(exc.message)
        return USAGE, f"Ugyldig værdi{where}: {message}{'' if message[-1:] in '.?!' else '.'}"
    if isinstance(exc, click.BadOptionUsage):
        option = _option_named(exc.ctx, exc.option_name)
        if option is not None and (option.is_flag or option.count):
            return USAGE, f"Tilvalget {quote(exc.option_name)} tager ingen værdi."
        return USAGE, f"Tilvalget {quote(exc.option_name)} skal have en værdi."
    # BadArgumentUsage and click's plain UsageError carry no more than English text
    command = exc.ctx.command_path if exc.ctx is not None else "reportgen"
    return USAGE, f"Forkert brug af {quote(command)}."


def param_name(param: click.Parameter | None) -> str:
    if param is None:
        return "»?«"
    if isinstance(param, click.Option):
        return quote("/".join(param.opts))
    return quote(param.metavar or (param.name or "").upper())


def _option_named(ctx: click.Context | None, name: str) -> click.Option | None:
    if ctx is None:
        return None
    for param in ctx.command.params:
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            return param
    return None


class DanishHelpFormatter(click.HelpFormatter):
    """Click's help layout with Danish headings."""

    SECTIONS = {"Options": "Tilvalg", "Commands": "Kommandoer", "Arguments": "Argumenter",
                "Positional arguments": "Argumenter"}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "Brug: " if prefix is None else prefix)

    def section(self, name: str):
        return super().section(self.SECTIONS.get(name, name))


class DanishContext(click.Context):
    formatter_class = DanishHelpFormatter


class Danish:
    context_class: type[click.Context] = DanishContext

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)  # type: ignore[misc]
        except click.UsageError as exc:  # the parser's own errors know no command
            if exc.ctx is None:
                exc.ctx = ctx
            raise

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None:
            option.help = HELP_TEXT
        return option


class DanishCommand(Danish, click.Command):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("options_metavar", "[TILVALG]")
        super().__init__(*args, **kwargs)


class PathType(click.ParamType):
    """A path, unchecked: each command says itself what is wrong with it."""

    name = "sti"

    def convert(self, value, param, ctx) -> Path:
        if isinstance(value, Path):
            return value
        if not value:
            self.fail("stien må ikke være tom", param, ctx)
        return Path(value)


class FolderType(PathType):
    """A folder that exists."""

    name = "mappe"

    def convert(self, value, param, ctx) -> Path:
        path = super().convert(value, param, ctx)
        if not path.exists():
            self.fail(f"mappen {quote(path)} findes ikke", param, ctx)
        if not path.is_dir():
            self.fail(f"{quote(path)} er ikke en mappe", param, ctx)
        return path


class ChoiceType(click.Choice):
    def convert(self, value, param, ctx):
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"{quote(value)} kendes ikke; vælg {either(self.choices)}", param, ctx)

    def get_missing_message(self, param, ctx=None) -> str:
        return f"Vælg {either(self.choices)}."
