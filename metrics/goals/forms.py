from django import forms
from django.contrib.auth import get_user_model

from accounts.roles import ADMIN_ROLES, has_role
from metrics.kpis.registry import tenant_kpis


class OwnerField(forms.ModelChoiceField):
    """Whose goal it is, by e-mail: owners and admins choose any member, a member only
    themself (the service refuses the rest as well)."""

    def __init__(self, **kwargs):
        super().__init__(queryset=get_user_model().objects.none(), to_field_name="username",
                         required=False, empty_label=None, **kwargs)

    def offer_to(self, user) -> None:
        members = get_user_model().objects.filter(member__isnull=False).order_by("username")
        self.queryset = members if has_role(user, *ADMIN_ROLES) else members.filter(pk=user.pk)

    def label_from_instance(self, user) -> str:
        return user.email


class GoalForm(forms.Form):
    kpi = forms.ChoiceField(label="KPI")
    target_value = forms.DecimalField(label="Target", max_digits=38, decimal_places=10)
    deadline = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    start_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                 help_text="Default today.")
    baseline_value = forms.DecimalField(label="Baseline", required=False, max_digits=38, decimal_places=10,
                                        help_text="Leave empty to use the KPI's value at the start.")
    title = forms.CharField(required=False, max_length=200, help_text="Leave empty for a generated title.")
    why = forms.CharField(label="Why it matters", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = OwnerField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = [(kpi.key, f"{kpi.name} ({kpi.unit})") for kpi in tenant_kpis()]
        self.fields["owner"].offer_to(user)
        self.fields["owner"].initial = user.username


class GoalEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    target_value = forms.DecimalField(label="Target", max_digits=38, decimal_places=10)
    deadline = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    why = forms.CharField(label="Why it matters", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    owner = OwnerField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].offer_to(user)
