"""The package's structure: no module imports, however late, one that imports it back.

Every import of the package's own modules counts, at the top of a module or inside a
function (a late import still closes a circle, only later). Importing a module imports
the packages it sits in first, so an import of `a.b.c` is an import of `a` and `a.b`
as well — except from inside `a.b`: a module of a package runs only once its package
is being imported, so its import of a sibling starts nothing new there (its import of a
name from the package itself does depend on it).
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
