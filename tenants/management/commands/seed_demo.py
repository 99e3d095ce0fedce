from django.core.management.base import BaseCommand

from tenants.demo import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo_tenant


class Command(BaseCommand):
    help = "Create the demo tenant and its owner login (idempotent)."

    def handle(self, *args, **options):
        tenant, created = ensure_demo_tenant()
        verb = "Created" if created else "Found"
        self.stdout.write(f"{verb} demo tenant '{tenant.slug}': {DEMO_EMAIL} / {DEMO_PASSWORD}")
