"""The Data page of a kind and its CSV export."""

from django.urls import path

from metrics.data import views

urlpatterns = [
    path("data/<str:kind>/", views.data_page, name="data"),
    path("data/<str:kind>/export.csv", views.data_export, name="data-export"),
    path("data/<str:kind>/delete/", views.data_delete, name="data-delete"),
]
