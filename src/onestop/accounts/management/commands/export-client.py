"""``onestop export-client <id or code> --out FILE.zip``: everything about one client organisation
(accounts/clientdata.py), recorded as an export done from the command line."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from onestop.accounts import clientdata


class Command(BaseCommand):
    help = "Export everything about one client organisation (records, history, signed forms, files) as a ZIP."

    def add_arguments(self, parser):
        parser.add_argument("organization", help="the organisation's id or client code")
        parser.add_argument("--out", required=True, help="the ZIP file to write (must not exist)")
        parser.add_argument(
            "--pdf", action="store_true", help="also typeset each signed form as a PDF (about a second each)"
        )

    def handle(self, *args, organization, out, pdf, **options):
        found = clientdata.find_organization(organization)
        if found is None:
            raise CommandError(f"No client organisation has the id or code {organization!r}.")
        target = Path(out)
        if target.exists():
            raise CommandError(f"{target} exists already; give a new file name.")
        try:
            manifest = clientdata.export_organization(found, out=target, with_pdf=pdf)
        except BaseException:
            target.unlink(missing_ok=True)  # never leave half a ZIP behind
            raise
        rows = sum(manifest["records"].values())
        self.stdout.write(
            f"Exported {found.code} {found.name}: {rows} rows of {len(manifest['records'])} kinds, "
            f"{len(manifest['files'])} files, {len(manifest['forms'])} signed forms into {target}."
        )
        if manifest["missing_files"]:
            self.stdout.write(
                f"{len(manifest['missing_files'])} files are missing from the upload storage (listed in manifest.json)."
            )
