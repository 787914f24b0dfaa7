"""Shared fixtures: the repository's bundled study, and the qda binary
whose JSON the Python results (and the package's own `qda` command) are
compared with."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    """Runs each test from the repository root, so paths read as in the README."""
    monkeypatch.chdir(ROOT)


def binary() -> str:
    """The qda binary cargo builds: $QDA_BIN, else target/debug/qda (which
    the Rust tests build), the reference the package is compared with."""
    named = os.environ.get("QDA_BIN") or str(ROOT / "target" / "debug" / "qda")
    if not Path(named).is_file():
        pytest.fail(f"no qda binary at {named}: run `cargo build -p qda-cli`, or set QDA_BIN")
    return named


def console_script() -> str:
    """The `qda` command the package installs beside the interpreter."""
    beside = Path(sys.executable).parent / ("qda.exe" if os.name == "nt" else "qda")
    found = str(beside) if beside.exists() else shutil.which("qda")
    if not found:
        pytest.fail("no qda command beside the interpreter: install the package (pip install ./crates/python)")
    return found


@pytest.fixture(scope="session")
def cli():
    """Runs `qda ARGS --format json` (or with -o FILE when given) and returns the JSON."""

    def run(*args: str) -> dict:
        done = subprocess.run([binary(), *args], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


@pytest.fixture(scope="session")
def run_cli():
    """Runs the qda binary with ARGS and returns the completed process."""

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([binary(), *args], cwd=ROOT, capture_output=True, text=True)

    return run
