"""`onestop generate --engagements N [--seed S]`: a seeded benchmark volume (core/generate.py)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from onestop.core.generate import RealDataError, generate


class Command(BaseCommand):
    help = (
        "Fill the database with a realistic, skewed, seeded volume of engagements for benchmarks "
        "(bulk inserts; refuses a database with engagements unless --force)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--engagements", type=int, required=True, help="How many engagements to make.")
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same records.")
        parser.add_argument(
            "--force", action="store_true", help="Generate even though the database has engagements."
        )

    def handle(self, *args, engagements: int, seed: int, force: bool, **options):
        if engagements < 1:
            raise CommandError("--engagements must be at least 1.")
        try:
            report = generate(engagements, seed=seed, force=force, log=self.stdout.write)
        except RealDataError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Generated in {report.seconds:.1f} s (seed {seed}):"))
        for line in report.lines():
            self.stdout.write(line)
