"""The package's structure: no module imports, however late, one that imports it back.

Every import of the package's own modules counts, at the top of a module or inside a
function (a late import still closes a circle, only later). Importing a module imports
the packages it sits in first, so an import of `a.b.c` is an import of `a` and `a.b`
as well — except from inside `a.b`: a module of a package runs only once its package
is being imported, so its import of a sibling starts nothing new there (its import of a
name from the package itself does depend on it).

Nor does a module import one of a layer above its own: the folders show the pipeline (the
reader, design, pictures, checks, the round, the writers, the commands both front ends
call, then the front ends), and LAYERS says which layer may import which.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

from .helpers import ROOT


def _module_names(package: Path) -> dict[str, Path]:
    """Every module of the package, by its dotted name (a package by its own)."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = list(path.relative_to(package.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        names[".".join(parts)] = path
    return names


def _imported(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that `name` imports anywhere in its text."""
    is_package = path.name == "__init__.py"
    here = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = here
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            if node.level:
                base = ".".join(part for part in (base, node.module) if part)
            else:
                base = node.module or ""
            for alias in node.names:  # a module of the package, or a name in `base`
                module = f"{base}.{alias.name}"
                targets.add(module if module in modules else base)
    imported = set()
    for target in targets:
        parts = target.split(".")
        for end in range(1, len(parts) + 1):  # the packages it sits in, then itself
            prefix = ".".join(parts[:end])
            if prefix in modules and prefix != name and (
                    prefix == target or not name.startswith(prefix + ".")):
                imported.add(prefix)
    return imported


def import_circles(package: Path) -> list[list[str]]:
    """Each circle of imports among the package's modules, as the modules in it in order
    (the first again at the end); none, in a package without one."""
    modules = _module_names(package)
    graph = {name: _imported(name, path, modules) for name, path in modules.items()}
    circles: list[list[str]] = []
    done: set[str] = set()

    def visit(name: str, trail: list[str]) -> None:
        if name in trail:
            circles.append(trail[trail.index(name):] + [name])
            return
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, [*trail, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    return circles


_CORE = {"model", "personal_data", "errors", "contract", "dates", "files"}
# every layer below commands/, which both front ends call
_PIPELINE = {"util", "reader", "design", "pictures", "checks", "round", "writers"}

# Which layer may import which. A layer is the first folder under reportgen/ or, for a
# module at the top, that module; "__init__" is reportgen/__init__.py itself. A module of
# the package in no layer here fails test_every_import_keeps_to_the_layers.
LAYERS: dict[str, set[str]] = {
    "__init__": set(),  # every import of a module runs it first: it must load nothing
    "util": set(),  # knows nothing of reportgen: it could be a package of its own
    # the core modules import only each other (a circle among them is test_no_import_circle's)
    "model": _CORE,
    "personal_data": _CORE,
    "errors": _CORE,
    "contract": _CORE,
    "dates": _CORE,
    "files": _CORE,
    "reader": _CORE,
    "design": _CORE,
    "pictures": _CORE | {"util"},
    "checks": _CORE | {"reader", "design"},
    "round": _CORE | {"reader", "design", "pictures", "checks"},
    "writers": _CORE | {"design", "pictures", "util"},  # write the report given: no reading
    "commands": _CORE | _PIPELINE,
    "web": _CORE | _PIPELINE | {"commands"},
    "cli": _CORE | _PIPELINE | {"commands", "web"},  # `serve` starts the page
}


def _layer(name: str) -> str:
    """The layer of a module: its first folder under the package, the module itself at
    the top, "__init__" for the package's own __init__.py."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def layer_breaches(package: Path, layers: dict[str, set[str]]) -> list[str]:
    """Each import between two layers that `layers` does not allow, as `importer ->
    imported`; then each layer of the package the table lacks, and each the table names
    that the package lacks (a table that no longer fits the tree guards nothing).

    Every import counts, however late: one inside a function still ties the module to
    the layer it imports, and one under TYPE_CHECKING ties its text to it all the same."""
    modules = _module_names(package)
    breaches = []
    for name, path in modules.items():
        own = _layer(name)
        for other in sorted(_imported(name, path, modules)):
            theirs = _layer(other)
            if own in layers and theirs in layers and theirs != own \
                    and theirs not in layers[own]:
                breaches.append(f"{name} -> {other}")
    found: dict[str, list[str]] = {}
    for name in modules:
        found.setdefault(_layer(name), []).append(name)
    for layer, names in sorted(found.items()):
        if layer not in layers:
            breaches.append(f"layer {layer!r} ({', '.join(names)}) is not in the table of "
                            "layers: add it, with the layers it may import")
    named = set(layers).union(*layers.values())
    for layer in sorted(named - set(found)):
        breaches.append(f"layer {layer!r} of the table of layers is no module or folder of "
                        "the package: take it out of the table")
    return breaches


def test_every_package_of_the_tree_is_shipped():
    """pyproject.toml names the packages a wheel holds: a folder of the package left out
    would be missing from an installed reportgen (test_packaging finds it too, slowly)."""
    shipped = set(tomllib.loads((ROOT / "pyproject.toml").read_text())
                  ["tool"]["setuptools"]["packages"])
    folders = {".".join(path.parent.relative_to(ROOT).parts)
               for path in (ROOT / "reportgen").rglob("__init__.py")}
    assert folders <= shipped, folders - shipped


def test_no_import_circle():
    assert import_circles(ROOT / "reportgen") == []


def test_every_import_keeps_to_the_layers():
    breaches = layer_breaches(ROOT / "reportgen", LAYERS)
    assert breaches == [], "\n".join(breaches)


def test_a_circle_through_an_import_inside_a_function_is_found(tmp_path):
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("from .. import base\n")
    (package / "base.py").write_text("import os\n")
    (package / "sub" / "a.py").write_text("from .b import thing\n")
    (package / "sub" / "b.py").write_text("def thing():\n    from . import a\n")
    assert import_circles(package) == [["pkg.sub.a", "pkg.sub.b", "pkg.sub.a"]]
    (package / "sub" / "b.py").write_text("def thing():\n    import os\n")
    assert import_circles(package) == []


def test_a_package_importing_its_own_module_back_is_a_circle(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("def late():\n    from .mod import x\n")
    (package / "mod.py").write_text("from . import late\n\nx = 1\n")
    assert import_circles(package) == [["pkg", "pkg.mod", "pkg"]]


def test_a_package_whose_modules_import_each_other_is_no_circle(tmp_path):
    """`pkg/__init__` re-exports `pkg.a`, which imports its sibling `pkg.b`: `pkg` is
    being imported already when `a` runs, so that is no circle."""
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from .a import f\n")
    (package / "a.py").write_text("from .b import g\n\ndef f():\n    return g()\n")
    (package / "b.py").write_text("from . import a as _a\n")
    assert import_circles(package) == [["pkg.a", "pkg.b", "pkg.a"]]
    (package / "b.py").write_text("def g():\n    return 1\n")
    assert import_circles(package) == []


_SYNTHETIC_LAYERS = {"__init__": set(), "model": set(), "reader": {"model"},
                     "commands": {"model", "reader"}}


def _layered_package(tmp_path: Path) -> Path:
    """A package of three layers, each importing only below it."""
    package = tmp_path / "pkg"
    (package / "reader").mkdir(parents=True)
    (package / "commands").mkdir()
    (package / "__init__.py").write_text("")
    (package / "model.py").write_text("import os\n")
    (package / "reader" / "__init__.py").write_text("")
    (package / "reader" / "rows.py").write_text("from .. import model\n")
    (package / "commands" / "__init__.py").write_text("")
    (package / "commands" / "build.py").write_text(
        "from ..reader import rows\n\ndef run():\n    from pkg.model import os\n")
    return package


def test_imports_down_the_layers_are_no_breach(tmp_path):
    assert layer_breaches(_layered_package(tmp_path), _SYNTHETIC_LAYERS) == []


def test_an_upward_import_is_found_at_the_top_inside_a_function_and_for_type_checking(
        tmp_path):
    package = _layered_package(tmp_path)
    rows = package / "reader" / "rows.py"
    upward = ["pkg.reader.rows -> pkg.commands", "pkg.reader.rows -> pkg.commands.build"]
    rows.write_text("from ..commands import build\n")
    assert layer_breaches(package, _SYNTHETIC_LAYERS) == upward
    rows.write_text("def late():\n    from ..commands.build import run\n")
    assert layer_breaches(package, _SYNTHETIC_LAYERS) == upward
    rows.write_text("from typing import TYPE_CHECKING\n\n"
                    "if TYPE_CHECKING:\n    import pkg.commands.build\n")
    assert layer_breaches(package, _SYNTHETIC_LAYERS) == upward


def test_the_package_itself_importing_its_modules_is_a_breach(tmp_path):
    package = _layered_package(tmp_path)
    (package / "__init__.py").write_text("from .model import os\n")
    assert layer_breaches(package, _SYNTHETIC_LAYERS) == ["pkg -> pkg.model"]


def test_a_layer_the_table_lacks_or_the_package_lacks_is_named(tmp_path):
    package = _layered_package(tmp_path)
    (package / "round").mkdir()
    (package / "round" / "__init__.py").write_text("")
    (package / "round" / "plan.py").write_text("")
    assert layer_breaches(package, _SYNTHETIC_LAYERS) == [
        "layer 'round' (pkg.round, pkg.round.plan) is not in the table of layers: add it,"
        " with the layers it may import"]
    assert layer_breaches(package, {**_SYNTHETIC_LAYERS, "round": {"writers"}}) == [
        "layer 'writers' of the table of layers is no module or folder of the package:"
        " take it out of the table"]
