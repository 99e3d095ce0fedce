"""A KPI's segments side by side (the page, its chart and CSV), and saving a segment."""

from django.urls import path

from metrics.segments import charts, views

urlpatterns = [
    path("kpis/<slug:key>/segments/", views.compare_segments, name="kpi-segments"),
    path("kpis/<slug:key>/segments/chart/", charts.SegmentsChartView.as_view(), name="kpi-segments-chart"),
    path("kpis/<slug:key>/segments.csv", views.compare_segments_csv, name="kpi-segments-csv"),
    path("kpis/<slug:key>/segments/<int:pk>/delete/", views.delete_segment, name="kpi-segments-delete"),
    path("kpis/<slug:key>/segments/save/", views.save_segment, name="kpi-segments-save"),
]
