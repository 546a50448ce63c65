"""``onestop retention [--dry-run] [--days N]``: anonymise the people of client organisations past
the retention period (accounts/clientdata.py); the periodic job runs the same every night."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from onestop.accounts import clientdata


class Command(BaseCommand):
    help = "Anonymise client contacts and deactivated client users past ONESTOP_RETENTION_DAYS."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="list what would be anonymised; change nothing"
        )
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="use this period instead of ONESTOP_RETENTION_DAYS (e.g. to preview a rule with --dry-run)",
        )

    def handle(self, *args, dry_run, days, **options):
        if days is not None and days <= 0:
            raise CommandError("--days must be a positive number of days.")
        period = settings.ONESTOP_RETENTION_DAYS if days is None else days
        if not period:
            self.stdout.write("Retention is off (ONESTOP_RETENTION_DAYS is 0): nothing to do.")
            return
        done = clientdata.apply_retention(dry_run=dry_run, days=period)
        verb = "Would anonymise" if dry_run else "Anonymised"
        for organization, counts in done:
            kinds = ", ".join(f"{label} {count}" for label, count in sorted(counts.items()))
            self.stdout.write(f"{verb} {organization.code} {organization.name}: {kinds}")
        total = sum(sum(counts.values()) for _organization, counts in done)
        self.stdout.write(
            f"{verb} {total} rows of {len(done)} organisations (period {period} days)."
            + (" Nothing was changed." if dry_run else "")
        )
