from django.core.management.base import BaseCommand

from metrics.kpis.docs import DOCS_PATH, render


class Command(BaseCommand):
    help = "Write docs/kpis.md from the KPI registry."

    def handle(self, *args, **options):
        DOCS_PATH.write_text(render())
        self.stdout.write(f"wrote {DOCS_PATH}")
