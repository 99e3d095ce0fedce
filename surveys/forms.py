"""The create page's form. It only parses: surveys.services.create_survey validates
the survey as a whole, the same way for the page and the API."""

from __future__ import annotations

import re

from django import forms

from surveys import audience
from surveys.models import Survey

ACTIVE_CHOICES = [("", "Any"), ("yes", "Has MRR now"), ("no", "No MRR now")]


class SurveyForm(forms.Form):
    type = forms.ChoiceField(choices=Survey.Type.choices, initial="nps", widget=forms.RadioSelect)
    name = forms.CharField(max_length=200, help_text="Only your team sees it.")
    question = forms.CharField(max_length=500, required=False,
                               help_text="Leave empty for the standard question. {company} is replaced by your company name.")
    follow_up = forms.CharField(max_length=500, required=False,
                                help_text='Leave empty for "What is the main reason for your score?"')
    language = forms.ChoiceField(choices=Survey.Language.choices, initial="en",
                                 help_text="The e-mail and the answer pages are in this language.")
    audience = forms.ChoiceField(choices=Survey.Audience.choices, initial="all", widget=forms.RadioSelect)
    segment = forms.MultipleChoiceField(required=False, widget=forms.SelectMultiple)
    channel = forms.MultipleChoiceField(required=False, widget=forms.SelectMultiple)
    country = forms.MultipleChoiceField(required=False, widget=forms.SelectMultiple)
    active = forms.ChoiceField(choices=ACTIVE_CHOICES, required=False)
    customer_ids = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                   help_text="Customer ids separated by commas, spaces or new lines.")
    throttle_days = forms.IntegerField(min_value=0, max_value=3650, initial=90,
                                       help_text="Skip anyone sent a survey in this many days.")
    send_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                  help_text="Empty: you send it from the survey page.")
    reminder_days = forms.IntegerField(min_value=1, max_value=365, required=False,
                                       help_text="One reminder to those who have not answered after this many days.")
    closes_at = forms.DateTimeField(required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                    help_text="After it, links say the survey is closed.")
    anonymous = forms.BooleanField(required=False,
                                   help_text="Answers are never shown with who gave them.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, values in audience.filter_choices().items():
            self.fields[name].choices = [(v, v) for v in values]

    def audience_arguments(self) -> dict:
        data = self.cleaned_data
        active = {"yes": True, "no": False}.get(data.get("active") or "")
        rules = {name: data.get(name) or [] for name in audience.FILTER_FIELDS}
        if active is not None:
            rules["active"] = active
        ids = [i for i in re.split(r"[\s,;]+", data.get("customer_ids") or "") if i]
        return {"audience": data.get("audience") or "all", "audience_filter": rules,
                "audience_customer_ids": ids}

    def audience_spec(self) -> audience.AudienceSpec:
        """What the live count needs, from whatever has been typed so far."""
        args = self.audience_arguments()
        return audience.AudienceSpec(args["audience"], args["audience_filter"],
                                     args["audience_customer_ids"],
                                     self.cleaned_data.get("throttle_days", 90) or 0)

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {
            "type": data["type"], "name": data["name"], "question": data["question"],
            "follow_up": data["follow_up"], "language": data["language"],
            "throttle_days": data["throttle_days"], "send_at": data["send_at"],
            "reminder_days": data["reminder_days"], "closes_at": data["closes_at"],
            "anonymous": data["anonymous"], **self.audience_arguments(),
        }
