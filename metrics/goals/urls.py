from django.urls import path

from metrics.goals import api

urlpatterns = [
    path("", api.GoalListView.as_view(), name="api-goals"),
    path("<int:pk>/", api.GoalDetailView.as_view(), name="api-goal"),
]
