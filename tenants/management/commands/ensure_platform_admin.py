import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django_tenants.utils import schema_context


class Command(BaseCommand):
    help = ("Development only: make sure a platform superuser exists in the public schema; "
            "its generated password is kept in the data dir and printed.")

    def handle(self, *args, **options):
        password_file = settings.DATA_DIR / "platform-admin-password.txt"
        with schema_context("public"):
            User = get_user_model()
            if not User.objects.filter(username="admin").exists():
                password = secrets.token_urlsafe(12)
                User.objects.create_superuser("admin", "admin@localhost", password)
                password_file.write_text(password)
                password_file.chmod(0o600)
        password = password_file.read_text() if password_file.exists() else "(set before; unknown)"
        self.stdout.write(f"admin / {password}")
