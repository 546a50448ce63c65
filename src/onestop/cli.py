"""The `onestop` command: every Django management command, plus `demo` and `worker`."""

from __future__ import annotations

import os
import sys

from django.core.management import execute_from_command_line


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "onestop"
    if len(argv) > 1 and argv[1] == "demo":
        # Demo mode: a generated secret key, local hosts, plain http, e-mail into files.
        os.environ.setdefault("ONESTOP_DEMO", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onestop.settings")

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
