"""Saved segments: a company's named filters (metrics/segments/filters.py), shown on the
KPI pages' filter bar for everyone of the company. Only the filter's text is stored:
segment figures are computed when asked (metrics/segments/engine.py), never stored."""

from django.conf import settings
from django.db import models


class SavedSegment(models.Model):
    name = models.CharField(max_length=100, unique=True)
    filter = models.CharField(max_length=2000)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
