"""The company's own pages on its tenant host (included by kpihub/urls/tenant.py)."""

from django.urls import path

from tenants import company_views

urlpatterns = [
    path("settings/company/", company_views.company_settings, name="company-settings"),
    path("settings/company/jobs/<uuid:pk>/", company_views.company_settings_job, name="company-settings-job"),
]
