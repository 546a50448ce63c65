"""Compile the .po catalogues to .mo with Babel, so no GNU gettext install is needed."""

from __future__ import annotations

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile OneStop's translation catalogues (locale/*/LC_MESSAGES/*.po) into .mo files."

    def handle(self, *args, **options):
        count = 0
        for locale_dir in settings.LOCALE_PATHS:
            for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
                with po_path.open("rb") as handle:
                    try:
                        catalog = read_po(handle, abort_invalid=True)
                    except Exception as exc:
                        raise CommandError(f"{po_path}: {exc}") from None
                with po_path.with_suffix(".mo").open("wb") as handle:
                    write_mo(handle, catalog, use_fuzzy=False)
                count += 1
        self.stdout.write(self.style.SUCCESS(f"Compiled {count} translation catalogues."))
