"""The pages a customer reaches from the e-mail (tenant host, no login), in the
survey's language.

A GET never records anything: mail security scanners open every link of a message
(all eleven scores within a second), so the answer is recorded only by a POST, which
the page sends by itself once it is shown to a person (static/js/surveys.js) or
through its button without JavaScript. Unknown, tampered and other tenants' tokens
get the site's ordinary 404, which says nothing about tokens."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from surveys import services, wording
from surveys.models import SurveyRecipient, SurveyResponse

ONE_CLICK = "One-Click"


def _recipient(token: str) -> SurveyRecipient:
    recipient = services.recipient_for_token(token)
    if recipient is None:
        raise Http404()
    return recipient


def _page(request, recipient: SurveyRecipient, template: str, status: int = 200, **context):
    survey = recipient.survey
    company = request.tenant.name
    with translation.override(survey.language):
        low, high = survey.score_range
        ends = wording.scale_ends(survey)
        response = render(request, template, {
            "survey": survey, "company": company, "token": recipient.token,
            "question": wording.question(survey, company), "follow_up": wording.follow_up(survey),
            "scores": list(range(low, high + 1)), "low_label": ends[0], "high_label": ends[1],
            "language": survey.language, **context,
        }, status=status)
    response["Content-Language"] = survey.language
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _existing(recipient: SurveyRecipient) -> SurveyResponse | None:
    return SurveyResponse.objects.filter(recipient=recipient).first()


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token: str):
    recipient = _recipient(token)
    survey = recipient.survey
    if survey.is_closed:
        return _page(request, recipient, "surveys/respondent/closed.html")
    existing = _existing(recipient)
    if request.method == "POST":
        comment = request.POST.get("comment", "")
        try:
            score = services.parse_score(survey, request.POST.get("score"))
            if score is None and not comment.strip() and existing is None:
                raise ValidationError({"score": ["Choose a score."]})
        except ValidationError:
            return _page(request, recipient, "surveys/respondent/answer.html", status=400,
                         chosen=None, comment=comment, error=True, auto_submit=False)
        try:
            services.record_response(recipient=recipient, score=score, comment=comment)
        except services.SurveyClosed:
            return _page(request, recipient, "surveys/respondent/closed.html")
        return redirect("survey-thanks", token=token)
    try:
        chosen = services.parse_score(survey, request.GET.get("score"))
    except ValidationError:
        chosen = None
    if chosen is None and existing is not None:
        chosen = existing.score
    return _page(request, recipient, "surveys/respondent/answer.html", chosen=chosen,
                 comment=existing.comment if existing else "",
                 auto_submit=request.GET.get("score") is not None and chosen is not None)


@never_cache
def thanks(request, token: str):
    recipient = _recipient(token)
    existing = _existing(recipient)
    if existing is None:
        return redirect("survey-answer", token=token)
    if recipient.survey.is_closed:
        return _page(request, recipient, "surveys/respondent/closed.html")
    return _page(request, recipient, "surveys/respondent/thanks.html", response=existing,
                 chosen=existing.score, comment=existing.comment)


@never_cache
@csrf_exempt  # mail providers POST the one-click body without cookies (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    recipient = _recipient(token)
    if request.method == "GET":
        # Scanners open unsubscribe links too: the GET only asks.
        return _page(request, recipient, "surveys/respondent/unsubscribe.html")
    if request.POST.get("List-Unsubscribe") != ONE_CLICK:
        return _page(request, recipient, "surveys/respondent/unsubscribe.html", status=400, error=True)
    services.unsubscribe(recipient=recipient)
    return _page(request, recipient, "surveys/respondent/unsubscribed.html")
