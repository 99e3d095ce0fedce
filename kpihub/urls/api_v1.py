"""Every endpoint of the JSON API of a tenant host, mounted at /api/v1/ by
kpihub/urls/tenant.py (api.md). The views live with their packages (``api.py``);
this is the one list of what the API offers. Sign-up and find-workspace are on the
public host (kpihub/urls/public.py)."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import api as accounts
from audit import api as audit
from jobs import api as jobs
from metrics.cohorts import api as cohorts
from metrics.data import api as data
from metrics.goals import api as goals
from metrics.imports import api as imports
from metrics.kpis import api as kpis
from surveys import api as surveys
from tenants import company_api as company
from tenants import leave_api as leaving

urlpatterns = [
    # People
    path("auth/token/", accounts.TokenView.as_view(), name="api-token"),
    path("me/", accounts.MeView.as_view(), name="api-me"),
    # The company
    path("company/", company.CompanyView.as_view(), name="api-company"),
    path("invitations/", accounts.InvitationView.as_view(), name="api-invitations"),
    path("tokens/", accounts.TokenListView.as_view(), name="api-tokens"),
    path("tokens/<int:pk>/", accounts.TokenDetailView.as_view(), name="api-token-detail"),
    path("security/two-factor/", accounts.TwoFactorView.as_view(), name="api-two-factor"),
    # The company leaving: its export, its deletion (tenants/leave_api.py)
    path("company/export/", leaving.CompanyExportView.as_view(), name="api-company-export"),
    path("company/export/<uuid:pk>/download/", leaving.CompanyExportDownloadView.as_view(),
         name="api-company-export-download"),
    path("company/delete/", leaving.CompanyDeleteView.as_view(), name="api-company-delete"),
    # Long work
    path("jobs/<uuid:pk>/", jobs.JobDetailView.as_view(), name="api-job"),
    # Data in
    path("imports/", imports.ImportListView.as_view(), name="api-imports"),
    path("imports/sources/", imports.SourceListView.as_view(), name="api-import-sources"),
    path("imports/preview/", imports.ImportPreviewView.as_view(), name="api-import-preview"),
    path("imports/<uuid:pk>/", imports.ImportDetailView.as_view(), name="api-import"),
    path("imports/<uuid:pk>/rejected.csv", imports.RejectedRowsView.as_view(), name="api-import-rejected"),
    path("imports/<uuid:pk>/undo/", imports.ImportUndoView.as_view(), name="api-import-undo"),
    path("imports/<uuid:pk>/retry/", imports.ImportRetryView.as_view(), name="api-import-retry"),
    path("data/<str:kind>/", data.DataView.as_view(), name="api-data"),
    path("data/<str:kind>/<path:key>/", data.DataRecordView.as_view(), name="api-data-record"),
    # KPIs
    path("kpis/", kpis.KpiListView.as_view(), name="api-kpis"),
    path("kpis/recompute/", kpis.KpiRecomputeView.as_view(), name="api-kpis-recompute"),
    path("kpis/mrr/on/", kpis.MrrOnDayView.as_view(), name="api-mrr-on-day"),
    path("kpis/<slug:key>/", kpis.KpiDetailView.as_view(), name="api-kpi"),
    path("kpis/<slug:key>/series/", kpis.KpiSeriesView.as_view(), name="api-kpi-series"),
    path("kpis/<slug:key>/breakdown/", kpis.KpiBreakdownView.as_view(), name="api-kpi-breakdown"),
    path("kpis/<slug:key>/records/", kpis.KpiRecordsView.as_view(), name="api-kpi-records"),
    # Cohorts
    path("cohorts/", cohorts.CohortsView.as_view(), name="api-cohorts"),
    # Goals
    path("goals/", goals.GoalListView.as_view(), name="api-goals"),
    path("goals/<int:pk>/", goals.GoalDetailView.as_view(), name="api-goal"),
    # Surveys
    path("surveys/", surveys.SurveyListView.as_view(), name="api-surveys"),
    path("surveys/<int:pk>/", surveys.SurveyDetailView.as_view(), name="api-survey"),
    path("surveys/<int:pk>/send/", surveys.SurveySendView.as_view(), name="api-survey-send"),
    path("surveys/<int:pk>/responses/", surveys.SurveyResponsesView.as_view(), name="api-survey-responses"),
    # The audit log (read-only: owners and admins)
    path("audit/", audit.AuditLogView.as_view(), name="api-audit"),
    path("audit/export/", audit.AuditExportView.as_view(), name="api-audit-export"),
    # The API's own description
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # An HTML page: OPTIONS has no template to render with (it answered 500), so GET only.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", http_method_names=["get", "head"]),
         name="api-docs"),
]
