"""The libraries' errors: one tree per package, drawn in its ``exc.py``, and no CLI words.

Checked on the source: every ``raise SomeClass(...)`` in ``incidents`` and ``geodata`` (their
CLIs aside) raises a subclass of the package's root error, no message string names a
command-line flag, and the tree in each ``exc.py`` docstring is the real class hierarchy.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import re
from pathlib import Path

import pytest

import geodata.exc
import incidents.exc

ROOT = Path(__file__).resolve().parents[1]
ROOTS = {"incidents": incidents.exc.IncidentsError, "geodata": geodata.exc.GeodataError}
#: Files that speak to a terminal, where flags and SystemExit belong.
CLI_FILES = {"cli.py", "__main__.py"}
#: Built-in errors a library raises by protocol, not as its own error.
PROTOCOL = {"AttributeError"}  # module __getattr__
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]+")


def _library_files(package: str) -> list[Path]:
    return [p for p in sorted((ROOT / package).rglob("*.py")) if p.name not in CLI_FILES]


def _module(path: Path):
    name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
    return importlib.import_module(name.removesuffix(".__init__"))


def raised_names(source: str) -> list[tuple[int, str]]:
    """(line, name) of every ``raise Name(...)`` / ``raise Name`` in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Raise) and node.exc is not None:
            target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
            if isinstance(target, ast.Name):
                found.append((node.lineno, target.id))
    return found


def message_strings(source: str) -> list[tuple[int, str]]:
    """(line, text) of the string constants in ``source`` that are not docstrings."""
    tree = ast.parse(source)
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
        if id(node) not in docstrings
    ]


@pytest.mark.parametrize("package", sorted(ROOTS))
def test_every_deliberate_error_derives_from_the_root(package):
    bad = []
    for path in _library_files(package):
        module = _module(path)
        for line, name in raised_names(path.read_text(encoding="utf-8")):
            raised = getattr(module, name, None)
            if not inspect.isclass(raised) or name in PROTOCOL:
                continue  # a variable holding a caught error, or a helper building one
            if not issubclass(raised, ROOTS[package]):
                bad.append(f"{path.relative_to(ROOT)}:{line} raises {name}")
    assert bad == []


@pytest.mark.parametrize("package", sorted(ROOTS))
def test_library_messages_never_name_a_cli_flag(package):
    bad = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in _library_files(package)
        for line, text in message_strings(path.read_text(encoding="utf-8"))
        if FLAG.search(text)
    ]
    assert bad == []


def test_the_checks_see_what_they_look_for():
    source = (
        '"""Docstring with --flag is fine."""\n'
        "def f(x):\n"
        "    if x:\n"
        "        raise ValueError('use --format acled')\n"
        "    raise err\n"
    )
    assert sorted(raised_names(source)) == [(4, "ValueError"), (5, "err")]
    assert [text for _, text in message_strings(source) if FLAG.search(text)] == [
        "use --format acled"
    ]
    assert not FLAG.search("a well-known -- dash, and x--y")


def drawn_tree(doc: str) -> dict[str, str | None]:
    """{class name: parent name} from the box-drawing tree in a docstring (the tree starts
    at the first line that holds one name alone: the root)."""
    lines = doc.splitlines()
    start = next(i for i, line in enumerate(lines) if re.fullmatch(r"\s*[A-Z]\w+", line))
    indent = len(lines[start]) - len(lines[start].lstrip())
    parents: dict[str, str | None] = {}
    stack: list[str] = []
    for line in lines[start:]:
        match = re.match(r"((?:[│ ]   )*)(?:[├└]── )?([A-Z]\w+)", line[indent:])
        if not match:
            break
        depth = len(match.group(1)) // 4 + (1 if "── " in line else 0)
        del stack[depth:]
        parents[match.group(2)] = stack[-1] if stack else None
        stack.append(match.group(2))
    return parents


@pytest.mark.parametrize("package", sorted(ROOTS))
def test_the_docstring_draws_the_real_error_tree(package):
    module = importlib.import_module(f"{package}.exc")
    root = ROOTS[package]
    real = {
        cls.__name__: (
            None if cls is root else next(b for b in cls.__bases__ if issubclass(b, root)).__name__
        )
        for _, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, root) and cls.__module__ == module.__name__
    }
    assert drawn_tree(module.__doc__ or "") == real
