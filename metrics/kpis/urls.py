"""A KPI's page, its chart, breakdowns and the records behind a value."""

from django.urls import path

from metrics.kpis import charts, views

urlpatterns = [
    path("kpis/<slug:key>/", views.kpi_page, name="kpi"),
    path("kpis/<slug:key>/chart/", charts.KpiSeriesChartView.as_view(), name="kpi-chart"),
    path("kpis/<slug:key>/breakdown/", views.kpi_breakdown, name="kpi-breakdown"),
    path("kpis/<slug:key>/records/", views.kpi_records, name="kpi-records"),
    path("kpis/<slug:key>/records.csv", views.kpi_records_csv, name="kpi-records-csv"),
]
