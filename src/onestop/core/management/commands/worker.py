"""`onestop worker`: the background job worker (Huey consumer with its periodic jobs)."""

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the background job worker: queued jobs (e-mail, notifications) and periodic jobs (reminders)."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=None, help="Number of worker threads.")

    def handle(self, *args, workers=None, **options):
        extra = ["--workers", str(workers)] if workers else []
        call_command("run_huey", *extra)
