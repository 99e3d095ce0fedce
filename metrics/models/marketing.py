"""Acquisition: daily web traffic and leads."""

from django.db import models
from django.db.models import F, Q


class TrafficDay(models.Model):
    date = models.DateField()
    channel = models.CharField(max_length=100, default="all")
    visits = models.PositiveIntegerField()
    unique_visitors = models.PositiveIntegerField(null=True, blank=True)
    pageviews = models.PositiveIntegerField(null=True, blank=True)
    bounces = models.PositiveIntegerField(null=True, blank=True)
    conversions = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        db_table = "metrics_traffic"
        ordering = ["date", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["date", "channel"], name="traffic_unique_day_channel"),
            models.CheckConstraint(condition=Q(bounces__isnull=True) | Q(bounces__lte=F("visits")),
                                   name="traffic_bounces_within_visits"),
            models.CheckConstraint(condition=Q(conversions__isnull=True) | Q(conversions__lte=F("visits")),
                                   name="traffic_conversions_within_visits"),
        ]


class Lead(models.Model):
    lead_id = models.CharField(max_length=100)
    created_date = models.DateField()
    channel = models.CharField(max_length=100, blank=True, default="")
    qualified = models.BooleanField(default=False)
    converted_date = models.DateField(null=True, blank=True)
    customer_id = models.CharField(max_length=100, blank=True, default="")

    class Meta:
        ordering = ["created_date", "lead_id"]
        # converted_date: the KPI engine's last month with data reads it (as for created_date).
        indexes = [models.Index(fields=["created_date"]), models.Index(fields=["converted_date"])]
        constraints = [
            models.UniqueConstraint(fields=["lead_id"], name="lead_unique_id"),
            models.CheckConstraint(
                condition=Q(converted_date__isnull=True) | Q(converted_date__gte=F("created_date")),
                name="lead_converts_after_creation"),
        ]
