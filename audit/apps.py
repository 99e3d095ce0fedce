from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from django.core.management.commands import makemigrations
        from django_tenants.management.commands import migrate_schemas

        from audit import receivers  # noqa: F401  (connects the sign-in and settings receivers)

        # django-pgtrigger teaches makemigrations about triggers; django-tenants' migrate
        # (migrate_schemas) keeps Django's own autodetector, which Django 5.2's check
        # commands.E001 refuses. Give migrate the same one (it only warns with it).
        migrate_schemas.Command.autodetector = makemigrations.Command.autodetector
