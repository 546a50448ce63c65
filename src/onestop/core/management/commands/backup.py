"""``onestop backup FOLDER``: the database, the uploads (downloaded, when they are in an S3 bucket) and
the audit key, with a manifest."""

import time

from django.core.management.base import BaseCommand, CommandError

from onestop.core import backup


class Command(BaseCommand):
    help = "Back up the database, the uploaded files and the audit key into a new, empty folder."

    def add_arguments(self, parser):
        parser.add_argument("folder", help="a new or empty folder")

    def handle(self, *args, folder, **options):
        started = time.monotonic()
        try:
            manifest = backup.backup(folder)
        except backup.BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(manifest["rows"].values())
        chain = manifest["audit_chain"]
        self.stdout.write(
            f"Backed up {rows} rows and {len(manifest['files'])} files into {folder} "
            f"in {time.monotonic() - started:.1f} s; audit chain head #{chain['links']} {chain['head']}"
            f"{'' if chain['intact'] else ' (BROKEN before the backup: run onestop verify)'}."
        )
        uploads = manifest["uploads"]
        if uploads["storage"] == "s3":
            self.stdout.write(
                f"Uploads: {uploads['files']} files downloaded from {uploads['source']} into uploads/ "
                "(the bucket itself is not changed; restore uploads them into an empty bucket prefix)."
            )
        self.stdout.write("Keep the folder (it holds the audit key) where the database server is not.")
