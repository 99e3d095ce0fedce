from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tenants.backup import BackupError, restore_tenant


class Command(BaseCommand):
    help = ("Restore a tenant from an archive written by backup_tenant, into this running platform. "
            "Refuses to overwrite an existing tenant unless --replace; never touches another tenant "
            "(docs/backup.md).")

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path, help="An archive written by backup_tenant")
        parser.add_argument("--replace", action="store_true",
                            help="Drop the tenant of the same slug (and its data and files) and restore "
                                 "the archive in its place, in one transaction")
        parser.add_argument("--check", action="store_true",
                            help="Read and check the archive and what it would replace; change nothing")

    def handle(self, *args, archive: Path, replace: bool, check: bool, **options):
        try:
            summary = restore_tenant(archive=archive, replace=replace, check_only=check)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        what = (f"{summary.slug} ({summary.schema}): {len(summary.tables)} tables, {summary.rows} rows, "
                f"{summary.files} files")
        if summary.migrated:
            what += f"; then migrated: {', '.join(summary.migrated)}"
        if summary.checked_only:
            verb = "would replace the existing tenant" if summary.replaced else "would create it"
            self.stdout.write(f"Archive is sound; restoring {verb}: {what}.")
        else:
            verb = "Replaced" if summary.replaced else "Restored"
            self.stdout.write(f"{verb} {what} in {summary.seconds:.1f} s, at {summary.domain}.")
