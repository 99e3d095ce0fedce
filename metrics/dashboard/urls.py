"""The dashboard and its charts' data."""

from django.urls import path

from metrics.dashboard import charts, views

urlpatterns = [
    path("", views.home, name="home"),
    path("charts/conversion-by-channel/", charts.ConversionByChannelChartView.as_view(),
         name="chart-conversion-by-channel"),
    path("charts/<slug:slug>/", charts.DashboardChartView.as_view(), name="chart"),
]
