"""The ``qda`` command: the command line itself, run in this process by
the extension module (``qda._qda.main``), with the standard streams and
exit codes of the ``qda`` binary."""

from __future__ import annotations

import signal
import sys


def main() -> None:
    from . import _qda

    # Python turns Ctrl-C into KeyboardInterrupt, which it checks only
    # between Python instructions: never while the command runs. With the
    # default action back, Ctrl-C does to the command what it does to the
    # binary: ends it at once, or lets a command that handles it (`qda
    # serve`) stop itself.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    raise SystemExit(_qda.main(sys.argv))


if __name__ == "__main__":
    main()
