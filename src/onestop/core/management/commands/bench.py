"""`onestop bench`: page timings over HTTP beside their raw-SQL twins (core/bench.py)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from onestop.core import bench
from onestop.engagements.models import Engagement


class Command(BaseCommand):
    help = (
        "Time each list, detail, search and export page over HTTP (p50/p95) and its own queries run "
        "as raw SQL, on the data in the database (fill it with `onestop generate`)."
    )

    def add_arguments(self, parser):
        where = parser.add_mutually_exclusive_group(required=True)
        where.add_argument(
            "--url", help="A running OneStop server on this same database, e.g. http://127.0.0.1:8000"
        )
        where.add_argument(
            "--serve",
            action="store_true",
            help="Start gunicorn on a free port for the run (the production server).",
        )
        parser.add_argument(
            "--workers", type=int, default=3, help="gunicorn workers with --serve (2 × cores − 1)."
        )
        parser.add_argument(
            "--user", default="gen.mgmt001", help="Who browses (default: the generator's management user)."
        )
        parser.add_argument("--password", default="onestop-demo")
        parser.add_argument("--runs", type=int, default=20, help="Requests per page after one warm-up.")
        parser.add_argument(
            "--write",
            metavar="FILE",
            help="Put the table into this Markdown file (e.g. docs/performance.md).",
        )

    def handle(self, *args, url, serve, workers, user, password, runs, write, **options):
        if runs < 1:
            raise CommandError("--runs must be at least 1.")
        engagements = Engagement.objects.count()
        if not engagements:
            raise CommandError(
                "The database has no engagements; fill it first: onestop generate --engagements N"
            )
        server = bench.Server(workers) if serve else None
        try:
            pages = bench.measure(server.url if server else url, user, password, runs, log=self.stdout.write)
        except RuntimeError as error:
            raise CommandError(str(error)) from error
        finally:
            if server is not None:
                server.stop()
        database = bench.database_label()
        text = bench.table(pages, database=database, engagements=engagements, runs=runs)
        self.stdout.write("")
        self.stdout.write(text)
        if write:
            bench.write_into(Path(write), text, section=connection.vendor)
            self.stdout.write(self.style.SUCCESS(f"Written into {write}."))
