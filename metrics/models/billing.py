"""Customers and money: subscriptions, invoices, expenses, exchange rates."""

from decimal import Decimal

from django.db import models
from django.db.models import Q

MONEY = {"max_digits": 16, "decimal_places": 2}


class Customer(models.Model):
    customer_id = models.CharField(max_length=100, unique=True)
    name = models.CharField(max_length=255, blank=True, default="")
    email = models.EmailField(max_length=254, blank=True, default="")
    signup_date = models.DateField(null=True, blank=True)
    channel = models.CharField(max_length=100, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="")
    segment = models.CharField(max_length=100, blank=True, default="")
    # Made by an import that referenced an unknown customer_id (reported as a warning).
    is_bare = models.BooleanField(default=False)
    # Extra columns of a customers import (Stripe metadata, CRM fields) by name: what a
    # filter may name besides the attributes above (metrics/segments/filters.py). A
    # default in the database too: raw INSERTs (imports, tests' SQL) leave it out.
    attributes = models.JSONField(default=dict, db_default=models.Value({}, output_field=models.JSONField()),
                                  blank=True)

    class Meta:
        ordering = ["customer_id"]
        indexes = [models.Index(fields=["email"]), models.Index(fields=["channel"])]

    def __str__(self) -> str:
        return self.name or self.customer_id


class Subscription(models.Model):
    class Interval(models.TextChoices):
        WEEK = "week"
        MONTH = "month"
        QUARTER = "quarter"
        YEAR = "year"

    subscription_id = models.CharField(max_length=100)
    # Indexed by (customer, start_date) below; a second index on customer alone would
    # only slow imports down.
    customer = models.ForeignKey(Customer, to_field="customer_id", db_column="customer_id",
                                 on_delete=models.PROTECT, related_name="subscriptions",
                                 db_index=False)
    plan = models.CharField(max_length=100, blank=True, default="")
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, blank=True, default="")  # "" = reporting
    interval = models.CharField(max_length=7, choices=Interval.choices, default=Interval.MONTH)
    quantity = models.PositiveIntegerField(default=1)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)  # first day no longer active

    class Meta:
        ordering = ["subscription_id"]
        # end_date alone: the KPI engine's first and last month with data read the latest
        # end from it instead of the whole table (kpis/engine/sql/data_months.sql).
        indexes = [models.Index(fields=["customer", "start_date"]),
                   models.Index(fields=["start_date", "end_date"]),
                   models.Index(fields=["end_date"])]
        constraints = [
            # A constraint rather than unique=True: the same index without the extra
            # LIKE (varchar_pattern_ops) index Django adds to unique text fields.
            models.UniqueConstraint(fields=["subscription_id"], name="subscription_unique_id"),
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gt=models.F("start_date")),
                                   name="subscription_ends_after_start"),
            models.CheckConstraint(condition=Q(quantity__gte=1), name="subscription_quantity_positive"),
            models.CheckConstraint(condition=Q(amount__gte=Decimal("0")), name="subscription_amount_not_negative"),
        ]


class Invoice(models.Model):
    class Status(models.TextChoices):
        PAID = "paid"
        OPEN = "open"
        VOID = "void"

    invoice_id = models.CharField(max_length=100)
    customer = models.ForeignKey(Customer, to_field="customer_id", db_column="customer_id",
                                 on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="invoices", db_index=False)  # see (customer, date)
    date = models.DateField()
    amount = models.DecimalField(**MONEY)  # negative: refund or credit note
    currency = models.CharField(max_length=3, blank=True, default="")
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.PAID)

    class Meta:
        ordering = ["date", "invoice_id"]
        indexes = [models.Index(fields=["date", "status"]), models.Index(fields=["customer", "date"])]
        constraints = [models.UniqueConstraint(fields=["invoice_id"], name="invoice_unique_id")]


class Expense(models.Model):
    class Category(models.TextChoices):
        MARKETING = "marketing"
        SALES = "sales"
        COGS = "cogs"
        OPERATING = "operating"
        OTHER = "other"

    expense_id = models.CharField(max_length=100, null=True, blank=True)
    date = models.DateField()
    category = models.CharField(max_length=10, choices=Category.choices)
    amount = models.DecimalField(**MONEY)
    currency = models.CharField(max_length=3, blank=True, default="")
    channel = models.CharField(max_length=100, blank=True, default="")
    description = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["date"]
        indexes = [models.Index(fields=["date", "category"])]
        constraints = [
            # Keyed by expense_id when given, else by what the row says.
            models.UniqueConstraint(fields=["expense_id"], condition=Q(expense_id__isnull=False),
                                    name="expense_unique_id"),
            models.UniqueConstraint(fields=["date", "category", "channel", "description"],
                                    condition=Q(expense_id__isnull=True),
                                    name="expense_unique_natural_key"),
            models.CheckConstraint(condition=Q(amount__gte=Decimal("0")), name="expense_amount_not_negative"),
        ]


class FxRate(models.Model):
    currency = models.CharField(max_length=3)
    month = models.DateField(help_text="First day of the month the rate applies to")
    rate = models.DecimalField(max_digits=20, decimal_places=10,
                               help_text="Units of reporting currency per 1 unit of currency")

    class Meta:
        ordering = ["currency", "month"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "month"], name="fx_rate_unique_month"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="fx_rate_positive"),
        ]
