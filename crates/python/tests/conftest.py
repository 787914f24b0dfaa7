"""Shared fixtures: the repository's bundled study, and the qda command
whose JSON the Python results are compared with."""

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


def _cli() -> str:
    """The qda command: $QDA_BIN, else the one installed with the package."""
    named = os.environ.get("QDA_BIN")
    if named:
        return named
    beside = Path(sys.executable).parent / "qda"
    found = str(beside) if beside.exists() else shutil.which("qda")
    if not found:
        pytest.fail("no qda command: install the package with its binary, or set QDA_BIN")
    return found


@pytest.fixture(scope="session")
def cli():
    """Runs `qda ARGS --format json` (or with -o FILE when given) and returns the JSON."""

    def run(*args: str) -> dict:
        done = subprocess.run([_cli(), *args], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return run


@pytest.fixture(scope="session")
def run_cli():
    """Runs `qda ARGS` and returns the completed process."""

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([_cli(), *args], cwd=ROOT, capture_output=True, text=True)

    return run
