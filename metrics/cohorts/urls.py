"""The Cohorts page, its CSV and each cell's customers."""

from django.urls import path

from metrics.cohorts import views

urlpatterns = [
    path("cohorts/", views.cohorts_page, name="cohorts"),
    path("cohorts.csv", views.cohorts_csv, name="cohorts-csv"),
    path("cohorts/customers/", views.cohort_customers, name="cohort-customers"),
    path("cohorts/customers.csv", views.cohort_customers_csv, name="cohort-customers-csv"),
]
