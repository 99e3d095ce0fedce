"""How each person lays out the dashboard (issue 17, item 4): per KPI card, whether it
is pinned to the headline row or taken off it, hidden, and its place in its row. Kept
per user, so one person's tidy dashboard does not rearrange a colleague's; a card
without a row here is where the company's defaults put it."""

from django.conf import settings
from django.db import models


class DashboardCard(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="dashboard_cards")
    kpi = models.CharField(max_length=100)
    # None: as the company's headline has it (metrics/dashboard/layout.py); True/False: the person's choice.
    pinned = models.BooleanField(null=True, default=None)
    hidden = models.BooleanField(default=False)
    # The card's place in its row (the headline or its group), lowest first; None: the catalog's order.
    position = models.PositiveIntegerField(null=True, default=None)

    class Meta:
        ordering = ["user", "kpi"]
        constraints = [models.UniqueConstraint(fields=["user", "kpi"], name="dashboard_card_once_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.kpi}"
