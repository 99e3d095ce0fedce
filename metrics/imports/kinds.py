"""The ten data kinds of data-contract.md, each declared once.

A declaration names the columns (type, required, default, limits), the key the rows
are matched on, the cross-field rules and a few flags. Everything else is driven from
here: header matching, the SQL that checks and converts the staged text
(``checking``), the upsert (``writing``), the downloadable templates (``samples``),
the column guide on the Imports page, the Data pages and the API docs. Adding a data
kind is adding a declaration (and its model), not a code path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from metrics import models as data

# Column types; their parsing and checking rules live in ``casting``.
STR, CHOICE, DATE, DATETIME, MONEY, DECIMAL, INT, BOOL, EMAIL, COUNTRY, CURRENCY, MONTH, SLUG = (
    "str", "choice", "date", "datetime", "money", "decimal", "int", "bool", "email",
    "country", "currency", "month", "slug")


@dataclass(frozen=True)
class Column:
    name: str
    type: str = STR
    required: bool = False
    # Stored when the cell is empty. None means NULL; text columns store "".
    default: object = ""
    max_length: int | None = None
    choices: tuple[str, ...] = ()
    minimum: int | None = None             # int columns
    negative: bool = False                 # money/decimal: may be below zero
    positive: bool = False                 # decimal: must be above zero
    max_digits: int = 16                   # money/decimal: the model's precision
    decimal_places: int = 2
    help: str = ""
    examples: tuple[str, str] = ("", "")

    @property
    def type_label(self) -> str:
        """How the column guide names the type."""
        labels = {MONEY: "amount", DECIMAL: "number", INT: "whole number", BOOL: "true/false",
                  CHOICE: "one of " + ", ".join(self.choices), STR: "text", DATE: "date",
                  DATETIME: "date and time", EMAIL: "e-mail", COUNTRY: "country code",
                  CURRENCY: "currency code", MONTH: "month (YYYY-MM)", SLUG: "slug"}
        return labels[self.type]


@dataclass(frozen=True)
class Key:
    """Columns that identify a record. ``when`` (SQL over the typed row, ``{col}``
    placeholders) says which rows use this key, for kinds keyed by an id when there is
    one and by what the row says otherwise."""

    columns: tuple[str, ...]
    when: str = ""


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: ``bad`` is SQL over the typed row that is true when the row
    breaks it (NULL, for a missing value, counts as fine)."""

    column: str
    bad: str
    message: str


@dataclass(frozen=True)
class Kind:
    name: str
    label: str
    model: type[models.Model]
    description: str
    columns: tuple[Column, ...]
    keys: tuple[Key, ...]
    rules: tuple[Rule, ...] = ()
    # Needs an exchange rate for the month of this date column when the row's currency
    # is not the reporting currency.
    fx_date: str | None = None
    # Unknown customer_id values create bare customers (with a warning).
    creates_customers: bool = False
    # New metric slugs create a CustomMetric.
    creates_custom_metrics: bool = False
    # Written with every row of this kind (a customer from a customers file is not bare).
    fixed: dict = field(default_factory=dict)
    # The Data page's default ordering and date filter.
    date_column: str | None = None
    # Columns of a file that are not the kind's are kept by name in the model's
    # ``attributes`` (customers: Stripe metadata, CRM fields; extra_columns.py).
    keeps_extra_columns: bool = False

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def column_names(self) -> list[str]:
        return [column.name for column in self.columns]

    @property
    def required(self) -> list[str]:
        return [column.name for column in self.columns if column.required]

    @property
    def key_label(self) -> str:
        first = ", ".join(self.keys[0].columns)
        if len(self.keys) == 1:
            return first
        return f"{first}, else ({', '.join(self.keys[1].columns)})"

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


def _id(name: str, examples: tuple[str, str], *, required: bool = True, help: str = "") -> Column:
    return Column(name, STR, required=required, default="" if required else None, max_length=100,
                  examples=examples, help=help)


def _currency() -> Column:
    return Column("currency", CURRENCY, help="ISO 4217 code; empty = your reporting currency. "
                  "Another currency needs an exchange rate (fx_rates) for the row's month.",
                  examples=("", ""))


KINDS: dict[str, Kind] = {kind.name: kind for kind in [
    Kind(
        "customers", "Customers", data.Customer,
        "Who your customers are and where they came from.",
        columns=(
            _id("customer_id", ("C001", "C002"), help="Your own id for the customer, up to 100 characters."),
            Column("name", max_length=255, examples=("Northwind Ltd", "Contoso GmbH")),
            Column("email", EMAIL, max_length=254, help="Used as the survey address.",
                   examples=("billing@northwind.example", "team@contoso.example")),
            Column("signup_date", DATE, default=None, examples=("2024-01-15", "2024-02-03")),
            Column("channel", max_length=100, help="Acquisition channel: organic, paid, referral, social, email ...",
                   examples=("organic", "paid")),
            Column("country", COUNTRY, help="ISO 3166 alpha-2, e.g. US, GB, DE.", examples=("GB", "DE")),
            Column("segment", max_length=100, help="A free label: plan family, industry, size ...",
                   examples=("agency", "software")),
        ),
        keys=(Key(("customer_id",)),),
        fixed={"is_bare": False},
        date_column="signup_date",
        keeps_extra_columns=True,
    ),
    Kind(
        "subscriptions", "Subscriptions", data.Subscription,
        "Recurring plans: MRR, churn, retention and LTV come from these.",
        columns=(
            _id("subscription_id", ("S001", "S002")),
            _id("customer_id", ("C001", "C002"), help="An unknown id creates a bare customer (reported as a warning)."),
            Column("plan", max_length=100, examples=("growth", "starter")),
            Column("amount", MONEY, required=True, help="Price per billing interval, before tax.",
                   examples=("79.00", "290.00")),
            _currency(),
            Column("interval", CHOICE, default="month", choices=("month", "quarter", "year", "week"),
                   examples=("month", "year")),
            Column("quantity", INT, default=1, minimum=1, examples=("1", "3")),
            Column("start_date", DATE, required=True, help="First day the subscription is active.",
                   examples=("2024-01-15", "2024-02-03")),
            Column("end_date", DATE, default=None,
                   help="First day it is no longer active; empty = still active.",
                   examples=("", "2025-02-03")),
        ),
        keys=(Key(("subscription_id",)),),
        rules=(Rule("end_date", "{end_date} <= {start_date}",
                    "end_date must be after start_date (it is the first day no longer active)"),),
        fx_date="start_date", creates_customers=True, date_column="start_date",
    ),
    Kind(
        "invoices", "Invoices", data.Invoice,
        "Revenue, orders and payments; a negative amount is a refund or credit note.",
        columns=(
            _id("invoice_id", ("INV-1001", "INV-1002")),
            _id("customer_id", ("C001", "C002"), required=False,
                help="An unknown id creates a bare customer (reported as a warning)."),
            Column("date", DATE, required=True, examples=("2024-01-15", "2024-02-03")),
            Column("amount", MONEY, required=True, negative=True, examples=("79.00", "-20.00")),
            _currency(),
            Column("status", CHOICE, default="paid", choices=("paid", "open", "void"),
                   examples=("paid", "open")),
        ),
        keys=(Key(("invoice_id",)),),
        fx_date="date", creates_customers=True, date_column="date",
    ),
    Kind(
        "expenses", "Expenses", data.Expense,
        "Costs: CAC, burn and runway come from these.",
        columns=(
            _id("expense_id", ("E001", ""), required=False,
                help="Optional; without it a row is matched on date, category, channel and description."),
            Column("date", DATE, required=True, examples=("2024-01-31", "2024-01-31")),
            Column("category", CHOICE, required=True,
                   choices=("marketing", "sales", "cogs", "operating", "other"),
                   examples=("marketing", "operating")),
            Column("amount", MONEY, required=True, examples=("1500.00", "320.50")),
            _currency(),
            Column("channel", max_length=100, help="For marketing spend per channel.",
                   examples=("paid", "")),
            Column("description", max_length=500, examples=("Search ads", "Office rent")),
        ),
        keys=(Key(("expense_id",), when="{expense_id} IS NOT NULL"),
              Key(("date", "category", "channel", "description"), when="{expense_id} IS NULL")),
        fx_date="date", date_column="date",
    ),
    Kind(
        "traffic", "Web traffic", data.TrafficDay,
        "Daily web analytics totals, per channel.",
        columns=(
            Column("date", DATE, required=True, examples=("2024-01-15", "2024-01-15")),
            Column("channel", max_length=100, default="all", examples=("organic", "paid")),
            Column("visits", INT, required=True, minimum=0, help="Sessions.", examples=("1200", "450")),
            Column("unique_visitors", INT, default=None, minimum=0, examples=("950", "400")),
            Column("pageviews", INT, default=None, minimum=0, examples=("3400", "900")),
            Column("bounces", INT, default=None, minimum=0, help="At most visits.", examples=("480", "210")),
            Column("conversions", INT, default=None, minimum=0,
                   help="Sign-ups or purchases from that traffic; at most visits.", examples=("24", "9")),
        ),
        keys=(Key(("date", "channel")),),
        rules=(Rule("bounces", "{bounces} > {visits}", "bounces must not exceed visits"),
               Rule("conversions", "{conversions} > {visits}", "conversions must not exceed visits")),
        date_column="date",
    ),
    Kind(
        "leads", "Leads", data.Lead,
        "Prospects and when they became paying customers.",
        columns=(
            _id("lead_id", ("L001", "L002")),
            Column("created_date", DATE, required=True, examples=("2024-01-10", "2024-01-12")),
            Column("channel", max_length=100, examples=("paid", "referral")),
            Column("qualified", BOOL, default=False, examples=("yes", "no")),
            Column("converted_date", DATE, default=None,
                   help="When it became a paying customer; not before created_date.",
                   examples=("2024-01-15", "")),
            Column("customer_id", max_length=100, examples=("C001", "")),
        ),
        keys=(Key(("lead_id",)),),
        rules=(Rule("converted_date", "{converted_date} < {created_date}",
                    "converted_date must not be before created_date"),),
        date_column="created_date",
    ),
    Kind(
        "tickets", "Support tickets", data.Ticket,
        "Support tickets: response and resolution times.",
        columns=(
            _id("ticket_id", ("T001", "T002")),
            Column("customer_id", max_length=100, examples=("C001", "C002")),
            Column("opened_at", DATETIME, required=True,
                   help="ISO 8601; without an offset it is your company's time zone.",
                   examples=("2024-01-15T09:30:00", "2024-01-16T14:00:00+01:00")),
            Column("first_response_at", DATETIME, default=None, help="Not before opened_at.",
                   examples=("2024-01-15T10:05:00", "")),
            Column("resolved_at", DATETIME, default=None, help="Not before opened_at.",
                   examples=("2024-01-15T16:00:00", "")),
            Column("channel", max_length=100, examples=("email", "chat")),
            Column("priority", max_length=50, examples=("normal", "high")),
        ),
        keys=(Key(("ticket_id",)),),
        rules=(Rule("first_response_at", "{first_response_at} < {opened_at}",
                    "first_response_at must not be before opened_at"),
               Rule("resolved_at", "{resolved_at} < {opened_at}",
                    "resolved_at must not be before opened_at")),
        date_column="opened_at",
    ),
    Kind(
        "survey_responses", "Survey responses", data.ImportedSurveyResponse,
        "NPS and CSAT answers brought over from another survey tool.",
        columns=(
            _id("response_id", ("R001", "R002"), required=False,
                help="Optional; without it an answer is matched on type, person and time."),
            Column("survey_type", CHOICE, required=True, choices=("nps", "csat"), examples=("nps", "csat")),
            Column("score", INT, required=True, minimum=0, help="NPS 0-10, CSAT 1-5.", examples=("9", "4")),
            Column("responded_at", DATETIME, required=True,
                   examples=("2024-01-20T11:00:00", "2024-01-21T08:30:00")),
            Column("email", EMAIL, max_length=254, examples=("billing@northwind.example", "")),
            Column("customer_id", max_length=100, examples=("C001", "C002")),
            Column("comment", examples=("Great support", "")),
        ),
        keys=(Key(("response_id",), when="{response_id} IS NOT NULL"),
              Key(("survey_type", "email", "customer_id", "responded_at"), when="{response_id} IS NULL")),
        rules=(Rule("score", "({survey_type} = 'nps' AND {score} > 10) OR "
                             "({survey_type} = 'csat' AND ({score} < 1 OR {score} > 5))",
                    "score must be 0-10 for nps and 1-5 for csat"),
               Rule("response_id", "{response_id} IS NULL AND {email} = '' AND {customer_id} = ''",
                    "without a response_id, give an email or a customer_id")),
        date_column="responded_at",
    ),
    Kind(
        "metric_values", "Metric values", data.MetricValue,
        "Any figure KPI Hub cannot derive: cash balance, active users, inventory value ...",
        columns=(
            Column("metric", SLUG, required=True, max_length=100,
                   help="Lowercase letters, digits and _. cash_balance, inventory_value and "
                        "active_users have a built-in meaning; a new slug creates a custom KPI.",
                   examples=("cash_balance", "active_users")),
            Column("date", DATE, required=True, examples=("2024-01-31", "2024-01-31")),
            Column("value", DECIMAL, required=True, negative=True, max_digits=24, decimal_places=6,
                   examples=("182500.00", "1240")),
        ),
        keys=(Key(("metric", "date")),),
        creates_custom_metrics=True, date_column="date",
    ),
    Kind(
        "fx_rates", "Exchange rates", data.FxRate,
        "Units of your reporting currency per 1 unit of another currency, per month.",
        columns=(
            Column("currency", CURRENCY, required=True, examples=("EUR", "GBP")),
            Column("month", MONTH, required=True, examples=("2024-01", "2024-01")),
            Column("rate", DECIMAL, required=True, positive=True, max_digits=20, decimal_places=10,
                   examples=("1.0850", "1.2710")),
        ),
        keys=(Key(("currency", "month")),),
        date_column="month",
    ),
]}
