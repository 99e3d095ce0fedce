"""Every survey route of a tenant host, included once from kpihub/urls_tenant.py."""

from django.urls import include, path

from surveys import api, respondent, views

respondent_urls = [
    path("<str:token>/", respondent.answer, name="survey-answer"),
    path("<str:token>/thanks/", respondent.thanks, name="survey-thanks"),
    path("<str:token>/unsubscribe/", respondent.unsubscribe, name="survey-unsubscribe"),
]

page_urls = [
    path("", views.survey_list, name="survey-list"),
    path("new/", views.survey_create, name="survey-create"),
    path("audience-count/", views.audience_count, name="survey-audience-count"),
    path("<int:pk>/", views.survey_detail, name="survey-detail"),
    path("<int:pk>/send/", views.survey_send, name="survey-send"),
    path("<int:pk>/responses.csv", views.survey_export, name="survey-export"),
]

api_urls = [
    path("", api.SurveyListView.as_view(), name="api-surveys"),
    path("<int:pk>/", api.SurveyDetailView.as_view(), name="api-survey"),
    path("<int:pk>/send/", api.SurveySendView.as_view(), name="api-survey-send"),
    path("<int:pk>/responses/", api.SurveyResponsesView.as_view(), name="api-survey-responses"),
]

urlpatterns = [
    path("s/", include(respondent_urls)),
    path("surveys/", include(page_urls)),
    path("api/v1/surveys/", include(api_urls)),
]
