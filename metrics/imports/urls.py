"""The Imports page, an import's page and what it offers to download."""

from django.urls import path

from metrics.imports import views

urlpatterns = [
    path("imports/", views.imports_page, name="imports"),
    path("imports/preview/", views.import_preview, name="import-preview"),
    path("imports/template/<str:kind>.<str:fmt>", views.template_download, name="import-template"),
    path("imports/<uuid:pk>/", views.import_detail, name="import-detail"),
    path("imports/<uuid:pk>/progress/", views.import_progress, name="import-progress"),
    path("imports/<uuid:pk>/rejected.csv", views.rejected_rows, name="import-rejected"),
    path("imports/<uuid:pk>/retry/", views.import_retry, name="import-retry"),
    path("imports/<uuid:pk>/undo/", views.import_undo, name="import-undo"),
]
