"""Password reset on a tenant's host, with Django's PasswordResetView family
(accounts/urls.py): the e-mail goes through the one e-mail builder, and a reset link
is good on its own company's host only."""

from __future__ import annotations

import logging

from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.db import connection
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.emails import compose, render_body

logger = logging.getLogger(__name__)


class TenantPasswordResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset token, with the company's schema in what it signs. Every company
    numbers its people from 1, so without it a link carries nothing that ties it to a
    host: the same person id on another company's host is checked against that
    company's person, and is refused there only because their password hashes differ.
    With the schema signed in, a link of company A never works on company B's host."""

    def _make_hash_value(self, user, timestamp):
        return f"{connection.schema_name}:{super()._make_hash_value(user, timestamp)}"


reset_tokens = TenantPasswordResetTokenGenerator()


class LinkedPasswordResetForm(PasswordResetForm):
    """Django's reset form, sending through accounts.emails (a plain-text and an HTML
    part from ``emails/password_reset``) with the full link in the context as
    ``action_url`` (the shared e-mail layout draws its button from it)."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email,
                  html_email_template_name=None):
        path = reverse("password_reset_confirm", kwargs={"uidb64": context["uid"], "token": context["token"]})
        context = {**context, "action_url": f"{context['protocol']}://{context['domain']}{path}"}
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        message = compose(to=to_email, subject=subject, body=render_body("password_reset", context),
                          from_email=from_email)
        try:
            message.send()
        except Exception:  # as Django's own form: the page answers the same, the failure is logged
            logger.exception("Failed to send password reset email to %s", context["user"].pk)
