"""The survey pages of a tenant host: the team's pages and the respondents' /s/<token>/."""

from django.urls import include, path

from surveys import respondent, views

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
    path("<int:pk>/progress/", views.survey_progress, name="survey-progress"),
    path("<int:pk>/preview/", views.survey_preview, name="survey-preview"),
    path("<int:pk>/preview/email.html", views.survey_preview_html, name="survey-preview-html"),
    path("<int:pk>/responses.csv", views.survey_export, name="survey-export"),
]

urlpatterns = [
    path("s/", include(respondent_urls)),
    path("surveys/", include(page_urls)),
]
