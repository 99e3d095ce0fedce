"""The goal pages and the goal chart's data."""

from django.urls import path

from metrics.goals import charts, views

urlpatterns = [
    path("goals/", views.goal_list, name="goal-list"),
    path("goals/new/", views.goal_create, name="goal-create"),
    path("goals/new/preview/", views.goal_preview, name="goal-preview"),
    path("goals/<int:pk>/", views.goal_detail, name="goal-detail"),
    path("goals/<int:pk>/archive/", views.goal_archive, name="goal-archive"),
    path("goals/<int:pk>/chart/", charts.GoalChartView.as_view(), name="goal-chart"),
]
