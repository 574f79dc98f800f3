"""The import direction: the libraries never reach up into the page.

``incidents`` and ``geodata`` are plain libraries (CLI, scripts, notebooks); only ``dashboard``,
``app.py`` and ``serve.py`` may import ``streamlit`` or ``dashboard``. Checked on the source with
the ``ast`` module, so a lazy import inside a function counts as much as a top-level one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LIBRARIES = ("incidents", "geodata")
FORBIDDEN = ("streamlit", "streamlit_folium", "dashboard", "app", "serve")


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import statement in ``source``; relative imports are skipped."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def violations(package: str, root: Path = ROOT) -> list[str]:
    bad = []
    for path in sorted((root / package).rglob("*.py")):
        for line, module in imported_modules(path.read_text(encoding="utf-8")):
            if module.split(".")[0] in FORBIDDEN:
                bad.append(f"{path.relative_to(root)}:{line} imports {module}")
    return bad


@pytest.mark.parametrize("package", LIBRARIES)
def test_libraries_never_import_the_page(package):
    assert violations(package) == []


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import streamlit as st", ["streamlit"]),
        ("def f():\n    from dashboard.maps import render_map", ["dashboard.maps"]),
        ("from . import store\nfrom ..exc import X", []),
        ("import pandas, streamlit_folium", ["pandas", "streamlit_folium"]),
    ],
)
def test_imported_modules_sees_lazy_and_aliased_imports(source, expected):
    assert [module for _, module in imported_modules(source)] == expected


def test_a_forbidden_import_is_reported(tmp_path):
    package = tmp_path / "incidents"
    package.mkdir()
    (package / "bad.py").write_text("def page():\n    import streamlit\n", encoding="utf-8")
    assert violations("incidents", tmp_path) == ["incidents/bad.py:2 imports streamlit"]


def test_tests_and_benchmarks_share_helpers_only_through_tests_support():
    """Benchmarks may import ``tests.support``; the tests never import the benchmarks, and
    ``tests.support`` imports neither the benchmarks nor other test modules."""
    bad = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        in_support = path.parent.name == "support"
        for line, module in imported_modules(path.read_text(encoding="utf-8")):
            top = module.split(".")[0]
            if top == "benchmarks" or (
                in_support and top == "tests" and not module.startswith("tests.support")
            ):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    for path in sorted((ROOT / "benchmarks").rglob("*.py")):
        for line, module in imported_modules(path.read_text(encoding="utf-8")):
            if module.startswith("tests") and not module.startswith("tests.support"):
                bad.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert bad == []
