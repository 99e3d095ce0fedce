"""What a survey says, in its own language. Call inside ``translation.override``
(the e-mail and the respondent pages both do), so each string comes out in the
survey's language whatever the request's."""

from __future__ import annotations

from django.utils.translation import gettext as _

from surveys.models import Survey


def question(survey: Survey, company: str) -> str:
    """The tenant's own question (``{company}`` is filled in) or the standard one."""
    if survey.question:
        return survey.question.replace("{company}", company)
    if survey.type == Survey.Type.NPS:
        return _("How likely are you to recommend %(company)s to a friend or colleague?") % {
            "company": company}
    return _("How satisfied are you with %(company)s?") % {"company": company}


def follow_up(survey: Survey) -> str:
    return survey.follow_up or _("What is the main reason for your score?")


def scale_ends(survey: Survey) -> tuple[str, str]:
    """The words under the lowest and the highest score."""
    if survey.type == Survey.Type.NPS:
        return _("Not at all likely"), _("Extremely likely")
    return _("Very unsatisfied"), _("Very satisfied")


def subject(survey: Survey, company: str, *, reminder: bool) -> str:
    if reminder:
        return _("Reminder: %(company)s would like your opinion") % {"company": company}
    return _("%(company)s would like your opinion") % {"company": company}
