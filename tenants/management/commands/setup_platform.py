from django.core.management.base import BaseCommand

from tenants.platform import ensure_public_tenant, ensure_template_tenant


class Command(BaseCommand):
    help = "Create the public tenant and the tenant template schema (idempotent)."

    def handle(self, *args, **options):
        ensure_public_tenant()
        ensure_template_tenant()
        self.stdout.write("Platform ready: public site and tenant template.")
