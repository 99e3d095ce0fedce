"""The survey e-mail: an HTML part with one link per score, a plain-text part with the
same links, the company as sender name, and one-click unsubscribe (RFC 8058).

A ``Letter`` renders what is the same for every recipient once (the question, the
wording, the templates) and then only the links per person, so a batch of thousands
costs little more than its SMTP round trips."""

from __future__ import annotations

from email.utils import formataddr, parseaddr
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.utils import translation

from surveys import conf, wording
from surveys.models import Survey, SurveyRecipient


def survey_link(base_url: str, token: str, suffix: str = "") -> str:
    return f"{base_url.rstrip('/')}/s/{token}/{suffix}"


class Letter:
    def __init__(self, survey: Survey, *, company: str, base_url: str, tenant_slug: str,
                 reminder: bool = False):
        self.survey = survey
        self.base_url = base_url
        self.tenant_slug = tenant_slug
        address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
        self.from_email = formataddr((company, address))
        low, high = survey.score_range
        with translation.override(survey.language):
            ends = wording.scale_ends(survey)
            self.common = {
                "company": company,
                "question": wording.question(survey, company),
                "low_label": ends[0],
                "high_label": ends[1],
                "reminder": reminder,
                "language": survey.language,
            }
            self.subject = wording.subject(survey, company, reminder=reminder)
        self.scores = list(range(low, high + 1))
        self.html = get_template("emails/surveys/invitation.html")
        self.text = get_template("emails/surveys/invitation.txt")

    def message_for(self, recipient: SurveyRecipient) -> EmailMultiAlternatives:
        page = survey_link(self.base_url, recipient.token)
        unsubscribe = survey_link(self.base_url, recipient.token, "unsubscribe/")
        context = {
            **self.common,
            "name": recipient.name,
            "links": [(score, f"{page}?score={score}") for score in self.scores],
            "unsubscribe_url": unsubscribe,
        }
        with translation.override(self.survey.language):
            text = self.text.render(context)
            html = self.html.render(context)
        mailto = (f"mailto:{conf.unsubscribe_mailbox()}?subject="
                  f"{quote(f'unsubscribe {self.tenant_slug} {recipient.token}')}")
        message = EmailMultiAlternatives(
            subject=self.subject, body=text, from_email=self.from_email, to=[recipient.email],
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>, <{mailto}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                # Tells autoresponders not to answer a bulk message.
                "Auto-Submitted": "auto-generated",
                "Content-Language": self.survey.language,
            },
        )
        message.attach_alternative(html, "text/html")
        return message
