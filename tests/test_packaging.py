"""Requirements follow the layout: the libraries and their CLIs need no Streamlit.

``pyproject.toml`` lists what ``incidents`` and ``geodata`` import as ``dependencies`` and what
only the page imports as the ``dashboard`` extra; ``requirements.txt`` pins exactly the same
distributions (no more: nothing pinned and unused), at the versions the lower bounds name.
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

from tests.test_layering import imported_modules

ROOT = Path(__file__).resolve().parents[1]
OURS = {"incidents", "geodata", "dashboard", "app", "serve", "tests", "benchmarks"}
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    """Canonical distribution name of a requirement string ("Jinja2>=3" -> "jinja2")."""
    name = re.match(r"[A-Za-z0-9_.-]+", requirement)
    assert name, requirement
    return re.sub(r"[-_.]+", "-", name.group(0)).lower()


def _bounds(requirements: list[str]) -> dict[str, str]:
    return {_name(r): r.split(">=", 1)[1] for r in requirements}


def _pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = line.split("==")
            pins[_name(name)] = version
    return pins


def _third_party(paths: list[Path]) -> set[str]:
    """Distributions providing the top-level modules ``paths`` import (ours and stdlib left out)."""
    providers = importlib.metadata.packages_distributions()
    found = set()
    for path in paths:
        for _, module in imported_modules(path.read_text(encoding="utf-8")):
            top = module.split(".")[0]
            if top in OURS or top in sys.stdlib_module_names or top == "__future__":
                continue
            found.update(_name(d) for d in providers[top])
    return found


def _sources(*names: str) -> list[Path]:
    paths = []
    for name in names:
        path = ROOT / name
        paths.extend(sorted(path.rglob("*.py")) if path.is_dir() else [path])
    return paths


def test_the_libraries_need_only_the_core_dependencies():
    core = set(_bounds(PROJECT["dependencies"]))
    assert _third_party(_sources("incidents", "geodata")) <= core
    assert "streamlit" not in core


def test_the_page_needs_only_the_dashboard_extra_besides():
    allowed = set(_bounds(PROJECT["dependencies"])) | set(
        _bounds(PROJECT["optional-dependencies"]["dashboard"])
    )
    assert _third_party(_sources("dashboard", "app.py", "serve.py")) <= allowed


@pytest.mark.parametrize("group", ["dependencies", "dashboard"])
def test_requirements_pin_exactly_the_declared_versions(group):
    declared = (
        PROJECT[group] if group == "dependencies" else PROJECT["optional-dependencies"][group]
    )
    pins = _pins()
    for name, lowest in _bounds(declared).items():
        assert pins.get(name) == lowest, name


def test_nothing_pinned_is_undeclared():
    declared = set(_bounds(PROJECT["dependencies"])) | set(
        _bounds(PROJECT["optional-dependencies"]["dashboard"])
    )
    assert set(_pins()) == declared


def makefile_targets() -> tuple[set[str], set[str]]:
    """(targets declared .PHONY, targets with a rule) of the Makefile."""
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = set()
    for line in re.findall(r"^\.PHONY:(.*)$", text, re.M):
        phony.update(line.split())
    rules = set(re.findall(r"^([A-Za-z][\w-]*):(?!=)", text, re.M))
    return phony, rules


def test_every_phony_makefile_target_has_a_rule():
    phony, rules = makefile_targets()
    assert phony and phony <= rules


def test_every_make_command_the_docs_name_exists():
    _, rules = makefile_targets()
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    command = re.compile(r"(?:`|^)make ([a-z][\w-]*)", re.M)  # in code, not "make sure"
    named = {t for d in docs for t in command.findall(d.read_text("utf-8"))}
    assert named and named <= rules
