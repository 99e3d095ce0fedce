"""What the KPI endpoints answer, for the OpenAPI schema (api.md): the views return the
selectors' plain dicts; these say their shape, so the schema matches what a client
receives (``GET /api/v1/kpis/`` is a list, not an object: issue 16, finding 8)."""

from __future__ import annotations

from rest_framework import serializers

VALUE_HELP = "A number (at least 4 decimals kept), or null with a reason"


class BenchmarkSource(serializers.Serializer):
    title = serializers.CharField(help_text="The article's title")
    name = serializers.CharField(help_text="A short name: the publisher")
    url = serializers.URLField(help_text="Where the article is published")


class Benchmark(serializers.Serializer):
    band = serializers.CharField()
    source = serializers.CharField(help_text="The source articles' titles, joined by '; '")
    currency = serializers.CharField(allow_null=True,
                                     help_text="The currency of a money band (ISO 4217), as the article gives it; "
                                               "null for other units")
    sources = BenchmarkSource(many=True)


class KpiOfTheMonth(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    category = serializers.CharField()
    unit = serializers.CharField()
    direction = serializers.CharField(help_text="up or down: which way is better")
    value = serializers.FloatField(allow_null=True, help_text=VALUE_HELP)
    previous_value = serializers.FloatField(allow_null=True, help_text="The month before")
    change = serializers.FloatField(allow_null=True, help_text="value - previous_value")
    benchmark = Benchmark(allow_null=True)
    reason = serializers.CharField(allow_null=True, help_text="Why the value is null")


class KpiValue(serializers.Serializer):
    key = serializers.CharField()
    period = serializers.CharField(help_text="YYYY-MM")
    value = serializers.FloatField(allow_null=True, help_text=VALUE_HELP)
    unit = serializers.CharField()
    inputs = serializers.DictField(help_text="The figures the value came from, by name")
    reason = serializers.CharField(allow_null=True)


class Point(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM; with granularity=quarter YYYY-Qn, with year YYYY")
    value = serializers.FloatField(allow_null=True)
    partial = serializers.BooleanField(required=False,
                                       help_text="Quarters and years only: true when the range cuts the period")


class KpiSeries(serializers.Serializer):
    key = serializers.CharField()
    unit = serializers.CharField()
    points = Point(many=True)


class Group(serializers.Serializer):
    group = serializers.CharField(help_text='"(none)" for records without a value for the dimension')
    value = serializers.FloatField(allow_null=True)


class KpiBreakdown(serializers.Serializer):
    key = serializers.CharField()
    by = serializers.CharField()
    period = serializers.CharField(help_text="YYYY-MM")
    rows = Group(many=True)


class RecordsPage(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = serializers.ListField(child=serializers.DictField(),
                                    help_text="The records behind the value; their columns depend on the movement")


class RecomputeStarted(serializers.Serializer):
    job_id = serializers.UUIDField(help_text="GET /api/v1/jobs/{id}/ follows it")


class MrrOnDay(serializers.Serializer):
    key = serializers.CharField(help_text="mrr")
    date = serializers.DateField()
    value = serializers.FloatField(allow_null=True, help_text="MRR at the end of the day; null without subscriptions")
    unit = serializers.CharField()
    currency = serializers.CharField()
    customers = serializers.IntegerField(help_text="Paying customers at the end of the day")
    reason = serializers.CharField(allow_null=True, help_text="Why the value is null")
