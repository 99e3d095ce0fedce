"""The platform admin, on the public host only (the tenant URLconf has no admin)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html

from tenants.models import Domain, Tenant
from tenants.services import drop_tenant, restore_company, set_status
from tenants.usage import tenant_usage

admin.site.site_header = "KPI Hub platform"
admin.site.site_title = "KPI Hub platform"


class DomainInline(admin.TabularInline):
    model = Domain
    extra = 0


class DropConfirmationForm(forms.Form):
    slug = forms.CharField(label="Type the tenant's slug to confirm")


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "status", "created_at", "user_count", "last_activity_at",
                    "purge_after", "usage_link", "drop_link")
    list_filter = ("status",)
    search_fields = ("slug", "name")
    readonly_fields = ("schema_name", "created_at", "last_activity_at", "user_count",
                       "deletion_requested_at", "purge_after")
    fields = ("name", "slug", "status", "currency", "timezone", "locale", *readonly_fields)
    inlines = [DomainInline]
    actions = ["suspend", "reactivate"]

    def get_queryset(self, request):
        # The platform's own tenants (public, template) are not companies: no change
        # page, drop page or bulk action reaches them (the model refuses it anyway).
        return super().get_queryset(request).without_platform()

    def has_add_permission(self, request):
        return False  # tenants are created by sign-up, which creates their owner too

    def has_delete_permission(self, request, obj=None):
        return False  # only through the typed confirmation below

    def has_module_permission(self, request):
        return connection.schema_name == "public" and super().has_module_permission(request)

    @admin.display(description="Usage")
    def usage_link(self, obj):
        return format_html('<a href="{}">Usage</a>', reverse("admin:tenants_tenant_usage", args=[obj.pk]))

    @admin.display(description="Delete")
    def drop_link(self, obj):
        url = reverse("admin:tenants_tenant_drop", args=[obj.pk])
        return format_html('<a href="{}">Delete…</a>', url)

    @admin.action(description="Suspend selected tenants")
    def suspend(self, request, queryset):
        count = set_status(queryset, Tenant.Status.SUSPENDED)
        self.message_user(request, f"Suspended {count} tenant(s).", messages.SUCCESS)

    @admin.action(description="Reactivate selected tenants (and take back an owner's deletion)")
    def reactivate(self, request, queryset):
        count = set_status(queryset, Tenant.Status.ACTIVE)
        self.message_user(request, f"Reactivated {count} tenant(s).", messages.SUCCESS)

    def get_urls(self):
        extra = [path("<int:pk>/drop/", self.admin_site.admin_view(self.drop_view),
                      name="tenants_tenant_drop"),
                 path("<int:pk>/usage/", self.admin_site.admin_view(self.usage_view),
                      name="tenants_tenant_usage"),
                 path("<int:pk>/restore/", self.admin_site.admin_view(self.restore_view),
                      name="tenants_tenant_restore")]
        return extra + super().get_urls()

    def drop_view(self, request, pk):
        if not request.user.is_superuser:
            messages.error(request, "Only superusers can delete tenants.")
            return redirect("admin:tenants_tenant_changelist")
        tenant = get_object_or_404(self.get_queryset(request), pk=pk)
        form = DropConfirmationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            if form.cleaned_data["slug"] != tenant.slug:
                form.add_error("slug", "That is not this tenant's slug; nothing was deleted.")
            else:
                drop_tenant(tenant)
                self.message_user(request, f"Deleted {tenant.slug} and all of its data.",
                                  messages.SUCCESS)
                return redirect("admin:tenants_tenant_changelist")
        context = {**self.admin_site.each_context(request), "tenant": tenant, "form": form,
                   "opts": self.model._meta, "title": f"Delete {tenant.slug}"}
        return render(request, "admin/tenants/drop_confirm.html", context)

    def usage_view(self, request, pk):
        """What the company uses: rows by kind, imports, the last recompute, stored file
        bytes and last activity (tenants/usage.py: one query for the company)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        tenant = get_object_or_404(self.get_queryset(request), pk=pk)
        context = {**self.admin_site.each_context(request), "tenant": tenant, "usage": tenant_usage(tenant),
                   "opts": self.model._meta, "title": f"Usage of {tenant.slug}"}
        return render(request, "admin/tenants/usage.html", context)

    def restore_view(self, request, pk):
        """Take back an owner's deletion within the grace period (POST): the company
        serves again, its users' sessions still valid, and is not purged."""
        if request.method != "POST" or not self.has_change_permission(request):
            raise PermissionDenied
        tenant = get_object_or_404(self.get_queryset(request), pk=pk)
        if tenant.deletion_requested_at is None:
            messages.error(request, f"{tenant.slug} was not deleted by its owner; nothing to restore.")
        else:
            restore_company(tenant=tenant)
            self.message_user(request, f"Restored {tenant.slug}: it serves again and will not be purged.",
                              messages.SUCCESS)
        return redirect("admin:tenants_tenant_usage", pk=tenant.pk)
