"""``onestop verify``: walk the audit chain and report the first link that does not hold."""

from django.core.management.base import BaseCommand, CommandError

from onestop.core import chain


class Command(BaseCommand):
    help = "Verify the tamper-evident audit chain (audit entries and signatures); exit 1 when broken."

    def handle(self, *args, **options):
        report = chain.verify()
        if report.intact:
            self.stdout.write(
                f"Audit chain intact: {report.checked} links checked; head #{report.head_seq} "
                f"{report.head_digest}"
            )
            self.stdout.write("Keep the head digest apart from the database to detect a cut-off tail later.")
            return
        broken = report.broken
        detail = f" ({broken.model} {broken.object_pk})" if broken.model else ""
        raise CommandError(
            f"Audit chain BROKEN at link #{broken.seq}{detail}: {broken.message} "
            f"{report.checked} links before it hold."
        )
