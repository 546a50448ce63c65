"""Copy the front-end packages installed by npm into OneStop's static files.

The packages come from npm with a committed package-lock.json; only the built
files the pages use (and their licences) are copied, into static/vendor/, which
is not committed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# (package, file or folder inside the package, destination under static/vendor/)
FILES = [
    ("bootstrap", "dist/css/bootstrap.min.css", "bootstrap/css/bootstrap.min.css"),
    ("bootstrap", "dist/css/bootstrap.min.css.map", "bootstrap/css/bootstrap.min.css.map"),
    ("bootstrap", "dist/js/bootstrap.bundle.min.js", "bootstrap/js/bootstrap.bundle.min.js"),
    ("bootstrap", "dist/js/bootstrap.bundle.min.js.map", "bootstrap/js/bootstrap.bundle.min.js.map"),
    ("bootstrap", "LICENSE", "bootstrap/LICENSE"),
    ("bootstrap-icons", "font/bootstrap-icons.min.css", "bootstrap-icons/font/bootstrap-icons.min.css"),
    ("bootstrap-icons", "font/fonts", "bootstrap-icons/font/fonts"),
    ("bootstrap-icons", "LICENSE", "bootstrap-icons/LICENSE"),
    ("htmx.org", "dist/htmx.min.js", "htmx/htmx.min.js"),
    ("htmx.org", "LICENSE", "htmx/LICENSE"),
    ("frappe-gantt", "dist/frappe-gantt.umd.js", "frappe-gantt/frappe-gantt.umd.js"),
    ("frappe-gantt", "dist/frappe-gantt.css", "frappe-gantt/frappe-gantt.css"),
    ("frappe-gantt", "license.txt", "frappe-gantt/LICENSE"),
    ("chart.js", "dist/chart.umd.min.js", "chart.js/chart.umd.min.js"),
    # The minified file names its source map; collectstatic's manifest storage follows that
    # reference and stops with MissingFileError if the map is not there.
    ("chart.js", "dist/chart.umd.min.js.map", "chart.js/chart.umd.min.js.map"),
    ("chart.js", "LICENSE.md", "chart.js/LICENSE.md"),
    # The type-ahead of filters over large tables (core/choices.py); maps for the same reason.
    ("tom-select", "dist/js/tom-select.complete.min.js", "tom-select/tom-select.complete.min.js"),
    ("tom-select", "dist/js/tom-select.complete.min.js.map", "tom-select/tom-select.complete.min.js.map"),
    ("tom-select", "dist/css/tom-select.bootstrap5.min.css", "tom-select/tom-select.bootstrap5.min.css"),
    (
        "tom-select",
        "dist/css/tom-select.bootstrap5.min.css.map",
        "tom-select/tom-select.bootstrap5.min.css.map",
    ),
    ("tom-select", "LICENSE", "tom-select/LICENSE"),
]


def default_node_modules() -> Path:
    for base in (Path.cwd(), settings.PACKAGE_DIR.parent.parent):
        candidate = base / "node_modules"
        if candidate.is_dir():
            return candidate
    return Path.cwd() / "node_modules"


class Command(BaseCommand):
    help = "Copy front-end files from node_modules (run `npm ci` first) into static/vendor/."

    def add_arguments(self, parser):
        parser.add_argument(
            "--node-modules", type=Path, default=None, help="Path of the node_modules folder."
        )

    def handle(self, *args, node_modules: Path | None = None, **options):
        source = (node_modules or default_node_modules()).resolve()
        target = settings.PACKAGE_DIR / "static" / "vendor"
        missing = [f"{pkg}/{path}" for pkg, path, _dest in FILES if not (source / pkg / path).exists()]
        if missing:
            raise CommandError(
                f"Front-end packages are missing in {source}: {', '.join(missing)}. Run `npm ci` in the project folder first."
            )
        if target.exists():
            shutil.rmtree(target)
        for pkg, path, dest in FILES:
            src, dst = source / pkg / path, target / dest
            dst.parent.mkdir(parents=True, exist_ok=True)
            if src.is_dir():
                shutil.copytree(src, dst)
            else:
                shutil.copy2(src, dst)
        self.stdout.write(self.style.SUCCESS(f"Copied {len(FILES)} front-end files into {target}."))
