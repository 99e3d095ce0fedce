"""The tenant's survey pages: list, create (with the live audience count), detail with
figures, chart and comments, send, CSV export. Thin: parse, authorise, call."""

from __future__ import annotations

import zoneinfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import connection
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from accounts.roles import ADMIN_ROLES, admin_required, has_role, member_required
from surveys import audience, export, scoring, selectors, services
from surveys.forms import SurveyForm
from surveys.models import Survey


def _tenant_timezone():
    """Dates typed in the form are the company's local time."""
    try:
        return zoneinfo.ZoneInfo(connection.tenant.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, AttributeError, ValueError):
        return timezone.get_current_timezone()


@member_required
def survey_list(request):
    surveys = selectors.surveys_with_counts()
    return render(request, "surveys/list.html", {
        "surveys": surveys, "can_manage": has_role(request.user, *ADMIN_ROLES)})


@admin_required
def survey_create(request):
    with timezone.override(_tenant_timezone()):
        form = SurveyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                survey = services.create_survey(**form.service_arguments(), created_by=request.user,
                                                base_url=request.build_absolute_uri("/"))
            except ValidationError as error:
                for name, errors in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, f"Survey “{survey.name}” created.")
                return redirect("survey-detail", pk=survey.pk)
        spec = form.audience_spec() if form.is_bound else audience.AudienceSpec()
        return render(request, "surveys/create.html", {
            "form": form, "count": audience.count(spec), "unmatched": audience.unmatched(spec)})


@admin_required
@require_POST
def audience_count(request):
    """The htmx fragment under the audience fields: recipients, throttled, unsubscribed,
    and the listed ids that reach nobody."""
    form = SurveyForm(request.POST)
    form.is_valid()  # the count needs only the audience fields; other errors wait for submit
    spec = form.audience_spec()
    return render(request, "surveys/_audience_count.html", {
        "count": audience.count(spec), "unmatched": audience.unmatched(spec)})


@member_required
def survey_detail(request, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    stats = selectors.survey_stats(survey)
    score_bars, group_bars = selectors.distribution_bars(survey, stats)
    filters = _comment_filters(request, survey)
    answers = selectors.responses(survey, group=filters["group"], query=filters["q"],
                                  customer_filter=filters["customer"])
    return render(request, "surveys/detail.html", {
        "survey": survey, "stats": stats, "score_bars": score_bars, "group_bars": group_bars,
        "answers": answers[:200], "answer_count": answers.count(), "filters": filters,
        "groups": scoring.GROUPS[survey.type],
        "filter_choices": selectors.response_filter_choices(survey),
        "reasons": selectors.outcome_reasons(survey),
        "uncertain_below": scoring.UNCERTAIN_BELOW,
        "can_manage": has_role(request.user, *ADMIN_ROLES),
        "unmatched": audience.unmatched(audience.AudienceSpec.of(survey)),
    })


@member_required
def survey_progress(request, pk: int):
    """The sending figures alone: the survey page polls this every 2 s while the
    survey is being sent, and the answer stops the polling once it is done."""
    survey = get_object_or_404(Survey, pk=pk)
    return render(request, "surveys/_figures.html", {
        "survey": survey, "stats": selectors.survey_stats(survey),
        "reasons": selectors.outcome_reasons(survey)})


@admin_required
def survey_preview(request, pk: int):
    """The invitation before it goes: sender, subject, the plain text and the HTML."""
    survey = get_object_or_404(Survey, pk=pk)
    return render(request, "surveys/preview.html", {
        "survey": survey, "preview": selectors.email_preview(survey)})


@admin_required
@xframe_options_sameorigin
def survey_preview_html(request, pk: int):
    """The HTML part alone, for the preview's frame. E-mail HTML is styled inline, so
    this response has its own policy: inline styles, and no script, form or request."""
    survey = get_object_or_404(Survey, pk=pk)
    response = HttpResponse(selectors.email_preview(survey).html)
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; "
        "base-uri 'none'; frame-ancestors 'self'")
    return response


def _comment_filters(request, survey: Survey) -> dict:
    customer = {} if survey.anonymous else {
        name: request.GET.get(name, "") for name in audience.FILTER_FIELDS}
    return {"group": request.GET.get("group", ""), "q": request.GET.get("q", "").strip(),
            "customer": customer}


@admin_required
@require_POST
def survey_send(request, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    try:
        services.start_sending(survey=survey, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Sending has started. The figures below fill in as it goes.")
    return redirect("survey-detail", pk=survey.pk)


@member_required
def survey_export(request, pk: int):
    survey = get_object_or_404(Survey, pk=pk)
    filters = _comment_filters(request, survey)
    answers = selectors.responses(survey, group=filters["group"], query=filters["q"],
                                  customer_filter=filters["customer"])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}-responses.csv"'
    export.write_responses(response, survey, answers)
    return response
