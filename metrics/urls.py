"""Routes of imports and data on a tenant host (pages and API), included once from
kpihub/urls_tenant.py."""

from django.urls import include, path

from metrics.pages import data, imports

page_urls = [
    path("", imports.imports_page, name="imports"),
    path("template/<str:kind>.<str:fmt>", imports.template_download, name="import-template"),
    path("<uuid:pk>/", imports.import_detail, name="import-detail"),
    path("<uuid:pk>/progress/", imports.import_progress, name="import-progress"),
    path("<uuid:pk>/rejected.csv", imports.rejected_rows, name="import-rejected"),
    path("<uuid:pk>/retry/", imports.import_retry, name="import-retry"),
]

urlpatterns = [
    path("imports/", include(page_urls)),
    path("data/<str:kind>/", data.data_page, name="data"),
    path("data/<str:kind>/export.csv", data.data_export, name="data-export"),
    path("api/v1/", include("metrics.api.urls")),
]
