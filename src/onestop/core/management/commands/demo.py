"""`onestop demo`: migrate, load the demo data into an empty database, then serve."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from onestop.accounts.demo import DEMO_PASSWORD, logins
from onestop.core.demo import load_demo_data


class Command(BaseCommand):
    help = "Run OneStop with demo data: migrate, load the demo data if the database is empty, serve."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--no-serve", action="store_true", help="Prepare the database, then stop.")

    def handle(self, *args, port: int, host: str, no_serve: bool, **options):
        if not (settings.PACKAGE_DIR / "static" / "vendor" / "bootstrap").is_dir():
            raise CommandError(
                "The front-end files are missing. Run ./scripts/setup (npm ci + onestop vendor) first."
            )
        settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        if get_user_model().objects.exists():
            self.stdout.write("The database already has data; the demo data set was not loaded again.")
        else:
            self.stdout.write("Loading the demo data set…")
            load_demo_data()
        self.print_logins(host, port)
        if no_serve:
            return
        worker = subprocess.Popen([sys.executable, "-m", "onestop.cli", "worker"], env=os.environ.copy())
        try:
            call_command("runserver", f"{host}:{port}", use_reloader=False, use_threading=True)
        finally:
            worker.send_signal(signal.SIGINT)
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()

    def print_logins(self, host: str, port: int) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"OneStop: http://{host}:{port}/"))
        self.stdout.write(
            f"Data folder: {settings.DATA_DIR}  ·  password of every demo account: {DEMO_PASSWORD}"
        )
        self.stdout.write("")
        for username, name, what in logins():
            self.stdout.write(f"  {username:<14} {name:<6}  {what}")
        self.stdout.write("")
