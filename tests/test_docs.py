"""The docs stay true: every command-line example in README.md and docs/*.md runs, and every
option the docs name exists in the parsers.

Examples are the lines of fenced code blocks that call ``python -m incidents`` or ``python -m
geodata``. Each runs in-process (``main(argv)``) on a fresh seeded store in a temporary
directory holding the files the examples name; it must exit 0, or the code its comment states
("# exit code 1"). An example that goes online (``--online``) is only parsed: tests never leave
the machine.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shlex
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

import geodata.cli
import incidents.cli
from incidents import Store, export_incidents

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FIXTURES = ROOT / "tests" / "incidents" / "fixtures"
CLIS = {"incidents": incidents.cli, "geodata": geodata.cli}
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
#: Examples too slow for the default run: (tool, first argument).
SLOW = {("geodata", "build-index")}


def examples() -> list[tuple[str, int, str]]:
    """(doc, line number, command line) of every CLI example in the docs."""
    found = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for block in FENCE.finditer(text):
            first = text.count("\n", 0, block.start(1)) + 1
            for offset, line in enumerate(block.group(1).splitlines()):
                if re.search(r"\bpython -m (incidents|geodata)\b", line):
                    found.append((doc.name, first + offset, line.strip()))
    return found


def parse_example(line: str) -> tuple[str, list[str], int, str | None]:
    """(tool, argv, expected exit code, file stdout is redirected to) of one example."""
    code = re.search(r"#.*\bexit code (\d+)", line)
    words = shlex.split(line.removeprefix("$ "), comments=True)
    while "=" in words[0]:  # VAR=value prefixes: the test sets its own environment
        words.pop(0)
    assert words[:2] == ["python", "-m"], line
    tool, argv = words[2], words[3:]
    redirect = None
    if ">" in argv:
        at = argv.index(">")
        argv, redirect = argv[:at], argv[at + 1]
    return tool, argv, int(code.group(1)) if code else 0, redirect


def _cases():
    for doc, number, line in examples():
        tool, argv, _, _ = parse_example(line)
        slow = (tool, argv[0] if argv else "") in SLOW
        yield pytest.param(line, id=f"{doc}:{number}", marks=[pytest.mark.slow] if slow else [])


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """Every input file the examples name, and a seeded store: made once, copied per test."""
    tmp_path = tmp_path_factory.mktemp("docs-template")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(tmp_path_factory.mktemp("docs-cache")))
        store = Store.open(f"sqlite:///{tmp_path / 'docs.sqlite'}")
        export_incidents(store, tmp_path / "desk.csv")
        store.engine.dispose()
    for name in ("acled_export.csv", "acled-2025.csv"):
        shutil.copy(FIXTURES / "acled_iso_dates.csv", tmp_path / name)
    # The UCDP fixture without its last row (a where_prec our model has no place for).
    lines = (FIXTURES / "ucdp_ged.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "ged251.csv").write_text("".join(lines[:-1]), encoding="utf-8")
    (tmp_path / "coded-by-hand.csv").write_text(
        "event_id,event_date,event_type,sub_event_type,country,admin1,location,fatalities\n"
        "G-1,2025-07-03,Explosions/Remote violence,Air/drone strike,Russia,,Jelez,0\n",
        encoding="utf-8",
    )
    report = ROOT / "tests" / "incidents" / "reports" / "afp_20250703.txt"
    shutil.copy(report, tmp_path / "report.txt")
    (tmp_path / "report.html").write_text(
        "<html><body><p>" + report.read_text(encoding="utf-8") + "</p></body></html>",
        encoding="utf-8",
    )
    real = FIXTURES / "real"
    shutil.copy(real / "newsroom_sheet.xlsx", tmp_path / "strikes.xlsx")
    shutil.copy(real / "newsroom_mapping.json", tmp_path / "strikes-mapping.json")
    shutil.copy(real / "acled_2020_semicolon_cp1252.csv", tmp_path / "export.csv")
    (tmp_path / "reports.csv").write_text(
        "query,country,admin1\nIelets,RU,\nOdessa,UA,\n", encoding="utf-8"
    )
    return tmp_path


@pytest.fixture
def workdir(template, tmp_path, monkeypatch, gaz):
    """A copy of the template in the test's own directory: its store is the test's to change
    (the snapshot cache starts empty)."""
    shutil.copytree(template, tmp_path, dirs_exist_ok=True)
    monkeypatch.setenv("INCIDENTS_DB", f"sqlite:///{tmp_path / 'docs.sqlite'}")
    monkeypatch.setenv("INCIDENTS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run(tool: str, argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        try:
            if tool == "geodata":
                code = geodata.cli.main(argv, out=out)
            else:
                code = incidents.cli.main(argv)
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def test_the_docs_have_examples_of_both_tools():
    tools = {parse_example(line)[0] for _, _, line in examples()}
    assert tools == set(CLIS)


@pytest.mark.parametrize("line", list(_cases()))
def test_every_cli_example_runs(line, workdir):
    tool, argv, expected, redirect = parse_example(line)
    if "--online" in argv:
        CLIS[tool].build_parser().parse_args(argv)  # parsed only: tests never go online
        return
    code, out, err = _run(tool, argv)
    assert code == expected, f"{line}\nstdout: {out[-2000:]}\nstderr: {err[-2000:]}"
    if redirect:
        (workdir / redirect).write_text(out, encoding="utf-8")


def _options(parser: argparse.ArgumentParser) -> set[str]:
    found = {s for action in parser._actions for s in action.option_strings}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _options(sub)
    return found


def documented_flags() -> list[tuple[str, int, str, str]]:
    """(doc, line number, flag, the line) of every ``--flag`` the docs name."""
    found = []
    for doc in DOCS:
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            found.extend((doc.name, number, flag, line) for flag in FLAG.findall(line))
    return found


def test_every_documented_option_exists():
    ours = _options(incidents.cli.build_parser()) | _options(geodata.cli.build_parser())
    missing = []
    for doc, number, flag, line in documented_flags():
        bench = re.search(r"\bbenchmarks\.(\w+)", line)
        if re.match(r"\s*node ", line):  # node's own options (its test runner), not ours
            known = True
        elif bench:  # a benchmark's own option: look in that benchmark's source
            source = (ROOT / "benchmarks" / f"{bench.group(1)}.py").read_text(encoding="utf-8")
            known = f'"{flag}"' in source
        else:
            known = flag in ours
        if not known:
            missing.append(f"{doc}:{number}: {flag}")
    assert missing == []


def test_the_option_check_sees_a_wrong_option():
    ours = _options(incidents.cli.build_parser())
    assert {"--on-conflict", "--min-killed", "--db"} <= ours
    assert "--on-conflicts" not in ours


PATH_TOKEN = re.compile(r"`((?:[\w.-]+/)+[\w.-]+\.(?:py|md|sh|js|css|json|tsv|txt|toml))`")


def test_every_file_the_docs_name_exists():
    """A path is from the repository root, or relative to the package the text is about
    (``static/incidents_layer.js`` in docs/map.md): some file must end with it."""
    files = []
    for folder, dirs, names in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in {".venv", ".git", "node_modules"}]
        files += [(Path(folder) / n).relative_to(ROOT).as_posix() for n in names]
    missing = [
        f"{doc.name}: {path}"
        for doc in DOCS
        for path in PATH_TOKEN.findall(doc.read_text(encoding="utf-8"))
        if not any(f == path or f.endswith("/" + path) for f in files)
    ]
    assert missing == []
