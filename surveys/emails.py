"""The survey e-mail: an HTML part with one link per score, a plain-text part with the
same links, the company as sender name, and one-click unsubscribe (RFC 8058).

A ``Letter`` renders its templates once per run, with markers where the token and
the name go, and fills those in per person: ten thousand invitations cost two or
four template renders, not twenty thousand."""

from __future__ import annotations

from email.utils import formataddr, parseaddr
from urllib.parse import quote

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.html import escape

from accounts.emails import Body, compose, render_body
from surveys import conf, wording
from surveys.models import Survey, SurveyRecipient


# Stand-ins while rendering; neither can occur in the rendered wording or in a token.
TOKEN_MARK = "kpihubTOKENmark7f3a"
NAME_MARK = "kpihubNAMEmark7f3a"


def survey_link(base_url: str, token: str, suffix: str = "") -> str:
    return f"{base_url.rstrip('/')}/s/{token}/{suffix}"


class Letter:
    def __init__(self, survey: Survey, *, company: str, base_url: str, tenant_slug: str,
                 reminder: bool = False, sender_name: str = "", reply_to: str = ""):
        """``sender_name`` and ``reply_to`` are the company's settings (tenants/company.py):
        the mail always leaves from the platform's own address, which the platform can send
        for, under the sender name (the company's name when blank); replies go to
        ``reply_to`` when set."""
        self.survey = survey
        self.base_url = base_url
        self.tenant_slug = tenant_slug
        address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
        self.from_email = formataddr((sender_name or company, address))
        self.reply_to = reply_to
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
        self._rendered: dict[bool, Body] = {}

    def _render(self, *, named: bool) -> Body:
        """The e-mail's parts with the markers in place of the token and the name."""
        if named not in self._rendered:
            page = survey_link(self.base_url, TOKEN_MARK)
            context = {
                **self.common,
                "name": NAME_MARK if named else "",
                "links": [(score, f"{page}?score={score}") for score in self.scores],
                "unsubscribe_url": survey_link(self.base_url, TOKEN_MARK, "unsubscribe/"),
            }
            with translation.override(self.survey.language):
                self._rendered[named] = render_body("surveys/invitation", context)
        return self._rendered[named]

    def message_for(self, recipient: SurveyRecipient) -> EmailMultiAlternatives:
        template = self._render(named=bool(recipient.name))
        body = Body(text=template.text.replace(TOKEN_MARK, recipient.token).replace(NAME_MARK, recipient.name),
                    html=template.html.replace(TOKEN_MARK, recipient.token).replace(NAME_MARK, escape(recipient.name)))
        unsubscribe = survey_link(self.base_url, recipient.token, "unsubscribe/")
        mailto = (f"mailto:{conf.unsubscribe_mailbox()}?subject="
                  f"{quote(f'unsubscribe {self.tenant_slug} {recipient.token}')}")
        return compose(
            to=recipient.email, subject=self.subject, body=body, from_email=self.from_email,
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>, <{mailto}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                # Tells autoresponders not to answer a bulk message.
                "Auto-Submitted": "auto-generated",
                "Content-Language": self.survey.language,
                **({"Reply-To": self.reply_to} if self.reply_to else {}),
            },
        )
