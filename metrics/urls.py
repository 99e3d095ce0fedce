"""Routes of KPI pages, charts, imports and data on a tenant host (pages and API),
included once from kpihub/urls_tenant.py."""

from django.urls import include, path

from metrics import charts
from metrics.pages import data, imports, kpi

page_urls = [
    path("", imports.imports_page, name="imports"),
    path("template/<str:kind>.<str:fmt>", imports.template_download, name="import-template"),
    path("<uuid:pk>/", imports.import_detail, name="import-detail"),
    path("<uuid:pk>/progress/", imports.import_progress, name="import-progress"),
    path("<uuid:pk>/rejected.csv", imports.rejected_rows, name="import-rejected"),
    path("<uuid:pk>/retry/", imports.import_retry, name="import-retry"),
]

kpi_urls = [
    path("", kpi.kpi_page, name="kpi"),
    path("chart/", charts.KpiSeriesChartView.as_view(), name="kpi-chart"),
    path("breakdown/", kpi.kpi_breakdown, name="kpi-breakdown"),
    path("records/", kpi.kpi_records, name="kpi-records"),
    path("records.csv", kpi.kpi_records_csv, name="kpi-records-csv"),
]

urlpatterns = [
    path("kpis/<slug:key>/", include(kpi_urls)),
    path("charts/conversion-by-channel/", charts.ConversionByChannelChartView.as_view(),
         name="chart-conversion-by-channel"),
    path("charts/<slug:slug>/", charts.KpiChartView.as_view(), name="chart"),
    path("imports/", include(page_urls)),
    path("data/<str:kind>/", data.data_page, name="data"),
    path("data/<str:kind>/export.csv", data.data_export, name="data-export"),
    path("api/v1/", include("metrics.api.urls")),
]
