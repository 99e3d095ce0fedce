"""Writes of the dashboard's layout: one person pins, unpins, hides, shows and moves a
card (issue 17, item 4). Each writes only that person's rows."""

from __future__ import annotations

from django.db import transaction

from metrics.dashboard.layout import moved
from metrics.models import DashboardCard

ACTIONS = ("pin", "unpin", "hide", "show", "up", "down")


@transaction.atomic
def change_card(*, user, kpi: str, action: str, row: list[str]) -> None:
    """Apply ``action`` to the card of ``kpi``. ``row`` is the order of the row the card
    is in now (the headline or its group, as the person sees it); a move writes that
    whole order, so the row keeps it however the defaults change later. Pinning or
    unpinning sends the card to the end of its new row."""
    if action in ("up", "down"):
        order = moved(row, kpi, -1 if action == "up" else 1)
        existing = {c.kpi: c for c in DashboardCard.objects.select_for_update().filter(user=user, kpi__in=order)}
        for position, key in enumerate(order):
            card = existing.get(key) or DashboardCard(user=user, kpi=key)
            card.position = position
            card.save()
        return
    card, _ = DashboardCard.objects.select_for_update().get_or_create(user=user, kpi=kpi)
    if action in ("pin", "unpin"):
        card.pinned = action == "pin"
        card.position = None
    elif action in ("hide", "show"):
        card.hidden = action == "hide"
        card.position = None
    else:
        raise ValueError(f"Unknown card action {action!r}.")
    card.save()


def reset_layout(*, user) -> None:
    """Back to the company's default dashboard."""
    DashboardCard.objects.filter(user=user).delete()

