"""API routes of imports and data, mounted under /api/v1/ by metrics/urls.py."""

from django.urls import path

from metrics.api import views

urlpatterns = [
    path("imports/", views.ImportListView.as_view(), name="api-imports"),
    path("imports/<uuid:pk>/", views.ImportDetailView.as_view(), name="api-import"),
    path("imports/<uuid:pk>/rejected.csv", views.RejectedRowsView.as_view(), name="api-import-rejected"),
    path("data/<str:kind>/", views.DataView.as_view(), name="api-data"),
]
