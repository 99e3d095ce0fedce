from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tenants.backup import BackupError, backup_tenant


class Command(BaseCommand):
    help = ("Write one tenant's archive: its schema (every row, users and tokens included), its "
            "stored files and its tenant and domain rows (docs/backup.md).")

    def add_arguments(self, parser):
        parser.add_argument("slug", help="The tenant's slug, e.g. acme")
        parser.add_argument("archive", type=Path, help="The file to write (.tar.gz); must not exist")

    def handle(self, *args, slug: str, archive: Path, **options):
        try:
            summary = backup_tenant(slug=slug, destination=archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Backed up {summary.slug} ({summary.schema}) to {summary.path}: {len(summary.tables)} tables, "
            f"{summary.rows} rows, {summary.files} files, {summary.size} bytes in {summary.seconds:.1f} s.")
