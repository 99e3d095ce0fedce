"""The dashboard, its layout's changes and its charts' data."""

from django.urls import path

from metrics.dashboard import charts, views

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/cards/<str:key>/", views.change_card, name="dashboard-card"),
    path("dashboard/layout/reset/", views.reset_layout, name="dashboard-reset"),
    path("charts/conversion-by-channel/", charts.ConversionByChannelChartView.as_view(),
         name="chart-conversion-by-channel"),
    path("charts/<slug:slug>/", charts.DashboardChartView.as_view(), name="chart"),
]
