"""Convert the PDFs' font once, at installation (otherwise the first PDF printed does it)."""

from django.core.management.base import BaseCommand

from federation.core import pdf_font


class Command(BaseCommand):
    help = "Prepare the font embedded in the PDFs (Noto Sans SC as TrueType)."

    def handle(self, *args, **options):
        path = pdf_font.font_path()
        if options["verbosity"]:
            self.stdout.write(str(path))
