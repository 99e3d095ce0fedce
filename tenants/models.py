"""The platform's own records, in the public schema: who the tenants are and where
they live. Nothing here may point into a tenant's tables (django-tenants #414)."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models
from django_tenants.models import DomainMixin, TenantMixin
from django_tenants.utils import get_public_schema_name

CURRENCIES = sorted(
    "USD EUR GBP RON BRL CHF CAD AUD JPY SEK NOK DKK PLN CZK HUF MXN INR ZAR NZD SGD HKD".split()
)
TIMEZONES = sorted(zoneinfo.available_timezones())
# How numbers and money read on the company's pages (BCP 47 tags: Babel on the server,
# Intl.NumberFormat in the browser's charts). The label shows the format itself.
LOCALES = [
    ("en-US", "English (US): 1,234.56"), ("en-GB", "English (UK): 1,234.56"),
    ("de-DE", "Deutsch: 1.234,56"), ("es-ES", "Español: 1234,56"), ("fr-FR", "Français: 1 234,56"),
    ("it-IT", "Italiano: 1.234,56"), ("nl-NL", "Nederlands: 1.234,56"),
    ("pt-BR", "Português (Brasil): 1.234,56"), ("pt-PT", "Português (Portugal): 1234,56"),
    ("ro-RO", "Română: 1.234,56"),
]

# What the company sells decides its headline KPIs (metrics/dashboard/headline.py).
BUSINESS_MODELS = [("subscription", "Subscription (SaaS, memberships)"),
                   ("ecommerce", "E-commerce (orders)"), ("services", "Services (projects, retainers)")]


class PlatformTenantProtected(PermissionDenied):
    """The platform's own tenants (the public site and the template every sign-up is
    cloned from) can never be deleted or suspended: dropping public would drop the
    platform itself (every tenant's row and domain), dropping the template every
    future sign-up. A PermissionDenied, so a page that lets it through answers 403."""


def platform_statuses() -> dict[str, str]:
    """The platform tenants' schemas and the one status each must keep."""
    return {get_public_schema_name(): Tenant.Status.ACTIVE,
            settings.TENANT_BASE_SCHEMA: Tenant.Status.TEMPLATE}


class TenantQuerySet(models.QuerySet):
    """Bulk writes guarded like single ones: a queryset's delete() and update() skip
    the model's delete() and save(), so the platform tenants are checked here too."""

    def platform(self) -> "TenantQuerySet":
        return self.filter(schema_name__in=platform_statuses())

    def without_platform(self) -> "TenantQuerySet":
        return self.exclude(schema_name__in=platform_statuses())

    def delete(self):
        protected = list(self.platform().values_list("schema_name", flat=True))
        if protected:
            raise PlatformTenantProtected(f"The platform's own tenants cannot be deleted: {', '.join(protected)}.")
        return super().delete()

    def update(self, **kwargs):
        if "status" in kwargs:
            required = platform_statuses()
            changed = [schema for schema in self.platform().values_list("schema_name", flat=True)
                       if required[schema] != kwargs["status"]]
            if changed:
                raise PlatformTenantProtected(
                    f"The platform's own tenants keep their status: {', '.join(changed)}.")
        return super().update(**kwargs)


class Tenant(TenantMixin):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"
        # The template schema every new tenant is cloned from; never served.
        TEMPLATE = "template", "Template"

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=40, unique=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE)
    currency = models.CharField(max_length=3, default="USD")
    timezone = models.CharField(max_length=64, default="UTC")
    locale = models.CharField(max_length=10, choices=LOCALES, default="en-US",
                              help_text="How numbers and money are written on the company's pages.")
    business_model = models.CharField(
        max_length=12, choices=BUSINESS_MODELS, default="subscription",
        help_text="Which KPIs lead the dashboard's headline row.")
    survey_sender_name = models.CharField(
        max_length=120, blank=True, help_text="The name survey e-mails come from (the company's name when blank).")
    survey_reply_to = models.EmailField(blank=True, help_text="Where replies to survey e-mails go.")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set when the owner deletes the company: it is suspended at once and purged
    # (schema, files, mail logs) after the grace period unless a platform admin restores it.
    deletion_requested_at = models.DateTimeField(null=True, blank=True)
    purge_after = models.DateTimeField(null=True, blank=True)
    # Kept up to date by accounts.middleware, at most once a minute per tenant.
    last_activity_at = models.DateTimeField(null=True, blank=True)
    user_count = models.PositiveIntegerField(default=0)

    auto_create_schema = True
    auto_drop_schema = False  # dropping is an explicit, confirmed admin action
    clone_mode = "NODATA"

    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return f"{self.name} ({self.slug})"

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The company's time zone, in which its pages and e-mails show times (UTC when
        the stored name is unknown to this machine's time zone data, rather than a 500)."""
        try:
            return zoneinfo.ZoneInfo(self.timezone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    @property
    def is_platform(self) -> bool:
        """The public site's tenant or the template: never deleted, never suspended."""
        return self.schema_name in platform_statuses()

    def save(self, *args, **kwargs):
        required = platform_statuses().get(self.schema_name)
        if required is not None and self.status != required:
            raise PlatformTenantProtected(f"The platform tenant {self.schema_name} keeps the status {required}.")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        # Every way of deleting one tenant ends here (the admin's drop page,
        # tenants.services.drop_tenant, django-tenants' delete_tenant command).
        if self.is_platform:
            raise PlatformTenantProtected(f"The platform tenant {self.schema_name} cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_serving(self) -> bool:
        return self.status == self.Status.ACTIVE


class Domain(DomainMixin):
    pass


class SchemaScript(models.Model):
    """The statements that built the template schema, recorded while its migrations
    ran, keyed by the set of tenant migrations they correspond to. Replaying them in a
    fresh schema builds a tenant in a fraction of the time of running migrations or
    cloning table by table (see tenants/schema_script.py)."""

    fingerprint = models.CharField(max_length=64, unique=True)
    sql = models.TextField(help_text="The statements, with their parameters bound, in order")
    statement_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"schema script {self.fingerprint[:12]} ({self.statement_count} statements)"
