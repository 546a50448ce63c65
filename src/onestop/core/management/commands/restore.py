"""``onestop restore FOLDER``: a backup into an empty database and upload folder, then checked."""

import time

from django.core.management.base import BaseCommand, CommandError

from onestop.core import backup, chain


class Command(BaseCommand):
    help = "Restore a backup made by 'onestop backup' into an EMPTY database and upload folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="the backup folder")

    def handle(self, *args, folder, **options):
        started = time.monotonic()
        try:
            restored = backup.restore(folder)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        differences = backup.check_restored(restored["manifest"])
        if differences:
            raise CommandError("The restored rows differ from the backup: " + "; ".join(differences))
        if not restored["key_matches"]:
            raise CommandError(
                "Restored, but ONESTOP_AUDIT_KEY differs from the backup's key (audit_key in the "
                "backup folder): set it to that key, then run onestop verify."
            )
        report = chain.verify()
        if not report.intact:
            raise CommandError(f"Restored, but the audit chain is broken at link #{report.broken.seq}.")
        rows = sum(restored["manifest"]["rows"].values())
        self.stdout.write(
            f"Restored {rows} rows in {time.monotonic() - started:.1f} s; row counts match the backup; "
            f"audit chain intact ({report.checked} links)."
        )
