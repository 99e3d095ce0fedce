"""``/api/v1/kpis/``, included from kpihub/urls_tenant.py."""

from django.urls import path

from metrics.kpis import api

urlpatterns = [
    path("", api.KpiListView.as_view(), name="api-kpis"),
    path("recompute/", api.KpiRecomputeView.as_view(), name="api-kpis-recompute"),
    path("<slug:key>/", api.KpiDetailView.as_view(), name="api-kpi"),
    path("<slug:key>/series/", api.KpiSeriesView.as_view(), name="api-kpi-series"),
    path("<slug:key>/breakdown/", api.KpiBreakdownView.as_view(), name="api-kpi-breakdown"),
    path("<slug:key>/records/", api.KpiRecordsView.as_view(), name="api-kpi-records"),
]
