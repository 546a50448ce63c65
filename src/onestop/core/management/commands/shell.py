"""`onestop shell`: Django's shell, without the audit-history models in its automatic imports.

django-simple-history makes every ``Historical…`` model at run time, so the shell cannot import it
by its path and used to open with a list of 138 models it "could not import"."""

from django.core.management.commands import shell


class Command(shell.Command):
    def get_auto_imports(self):
        imports = super().get_auto_imports() or []
        return [path for path in imports if not path.rsplit(".", 1)[-1].startswith("Historical")]
