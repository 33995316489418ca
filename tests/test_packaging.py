"""The package declares what it imports, and the README's command line matches the parser."""

from __future__ import annotations

import argparse
import ast
import re
import shlex
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from centroid_explorer.cli import build_parser

REPO = Path(__file__).resolve().parents[1]
SHIPPED = [REPO / "centroid_explorer", REPO / "components", REPO / "views", REPO / "app.py", REPO / "dashboard.py"]
OWN = {"centroid_explorer", "components", "views", "app"}


def _python_files() -> list[Path]:
    files: list[Path] = []
    for place in SHIPPED:
        files += sorted(place.rglob("*.py")) if place.is_dir() else [place]
    return files


def _imported_top_levels() -> set[str]:
    names = set()
    for path in _python_files():
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names - OWN - set(sys.stdlib_module_names)


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _declared() -> set[str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    return {_normalise(re.split(r"[<>=!~;\[ ]", spec)[0]) for spec in project["dependencies"]}


def test_every_imported_package_is_declared_and_every_declared_one_is_imported():
    providers = packages_distributions()
    imported = {_normalise(providers[name][0]) for name in _imported_top_levels()}
    declared = _declared()
    assert imported - declared == set(), "imported but not declared in pyproject.toml"
    assert declared - imported == set(), "declared in pyproject.toml but never imported"


def test_declared_dependencies_are_pinned_in_requirements():
    pinned = {
        _normalise(line.split("==")[0])
        for line in (REPO / "requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    assert _declared() - pinned == set(), "declared in pyproject.toml but not pinned in requirements.txt"


def test_psycopg_runs_its_c_implementation_with_the_same_version_pinned():
    """psycopg's pure-Python implementation made PostgreSQL's ranking reads 2-5x SQLite's (benchmarks/README.md)."""
    import psycopg

    assert psycopg.pq.__impl__ in ("c", "binary"), "psycopg-binary is not installed: pip install -r requirements.txt"
    pins = dict(line.split("==") for line in (REPO / "requirements.txt").read_text().splitlines() if "==" in line)
    assert pins["psycopg-binary"] == pins["psycopg"], "psycopg-binary must be psycopg's exact version"


def _readme_commands() -> list[list[str]]:
    readme = (REPO / "README.md").read_text()
    section = readme.split("## Command line", 1)[1].split("\n## ", 1)[0]
    fenced = "\n".join(section.split("```")[1::2])
    commands = []
    for line in fenced.splitlines():
        match = re.search(r"(?:python -m centroid_explorer|centroid-explorer)\s+(.*)", line)
        if match:
            words = shlex.split(match.group(1).split(" #")[0].split(">")[0])
            commands.append(words)
    return commands


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def test_readme_lists_every_command():
    listed = {words[0] for words in _readme_commands() if words and not words[0].startswith("-")}
    assert set(_subparsers(build_parser())) - listed == set(), "commands the README's Command line section omits"


@pytest.mark.parametrize("words", _readme_commands(), ids=" ".join)
def test_readme_command_line_is_accepted_by_the_parser(words):
    if words == ["--help"]:
        return
    command, *rest = words
    sub = _subparsers(build_parser()).get(command)
    assert sub is not None, f"the README names a command the CLI lacks: {command}"
    while rest and rest[0] in _subparsers(sub):  # `keys create ...`: the action's own options
        sub, rest = _subparsers(sub)[rest[0]], rest[1:]
    known = {option for action in sub._actions for option in action.option_strings}
    used = {word.split("=")[0] for word in rest if word.startswith("--")}
    assert used - known == set(), f"`{command}` has no such option"


@pytest.mark.parametrize("module", sorted(
    ".".join(path.relative_to(Path(__file__).resolve().parents[1]).with_suffix("").parts)
    for path in (Path(__file__).resolve().parents[1] / "centroid_explorer").rglob("*.py") if path.name != "__main__.py"
))
def test_each_module_imports_first_in_a_fresh_interpreter(module):
    """No import cycle that only some import orders hide (`serve` imports the server before the client)."""
    done = subprocess.run([sys.executable, "-c", f"import {module.removesuffix('.__init__')}"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
