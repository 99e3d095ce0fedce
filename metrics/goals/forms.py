from django import forms

from metrics.kpis.registry import tenant_kpis


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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kpi"].choices = [(kpi.key, f"{kpi.name} ({kpi.unit})") for kpi in tenant_kpis()]


class GoalEditForm(forms.Form):
    title = forms.CharField(max_length=200)
    target_value = forms.DecimalField(label="Target", max_digits=38, decimal_places=10)
    deadline = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    why = forms.CharField(label="Why it matters", required=False, widget=forms.Textarea(attrs={"rows": 2}))
