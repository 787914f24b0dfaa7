"""The ``qda`` command: runs the command-line binary shipped in the package."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def binary() -> Path:
    """The path of the ``qda`` binary inside the installed package."""
    return Path(__file__).resolve().parent / "bin" / ("qda.exe" if os.name == "nt" else "qda")


def main() -> None:
    path = binary()
    if not path.is_file():
        sys.stderr.write(
            f"error: {path}: the qda command is not in this installation; "
            "build the package with scripts/python-package.sh, or install the "
            "command with `cargo install --path crates/cli --locked`\n"
        )
        raise SystemExit(2)
    args = [str(path), *sys.argv[1:]]
    if os.name == "nt":
        import subprocess

        raise SystemExit(subprocess.call(args))
    os.execv(str(path), args)


if __name__ == "__main__":
    main()
