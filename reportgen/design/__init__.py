"""The municipality's templates folder, read and checked: the look (look.toml) and the
wording (wording.toml) both documents take, and the folder shipped with the package.

A mistake in a file of it is RG920, naming the file and line (errors.template_error).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _default_templates() -> Path:
    """The layout shipped with the package (a wheel holds it as reportgen/templates); in a
    checkout, the repository's own templates/."""
    shipped = Path(str(resources.files("reportgen") / "templates"))
    return shipped if shipped.is_dir() else Path(__file__).resolve().parents[2] / "templates"


DEFAULT_TEMPLATES = _default_templates()
