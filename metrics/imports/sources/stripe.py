"""Stripe Dashboard exports: customers, subscriptions and invoices (docs/sources.md).

The Dashboard's CSV exports name their columns after the API objects' fields in
words ("Customer ID", "Amount Due") with timestamps suffixed "(UTC)"; amounts are in
currency units (49.00), unlike the API's cents. Lower-case currency codes (``usd``)
are upper-cased.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from metrics.imports.sources.declaring import Doc, Drop, Row, Source, Take
from metrics.imports.sources.values import (
    date_of,
    difference,
    later_date,
    nonzero,
    whole,
)

API_INVOICE = Doc("https://docs.stripe.com/api/invoices/object", "The Invoice object (Stripe API reference)",
                  "the invoice fields the export's columns are named after: id, customer, status, "
                  "amount_due, total, tax, currency, created")
INVOICE_STATUSES = Doc("https://docs.stripe.com/invoicing/overview",
                       "How Invoicing works", "the invoice lifecycle: draft, open, paid, uncollectible, void")
DASHBOARD_INVOICES = Doc("https://docs.stripe.com/invoicing/dashboard/manage-invoices",
                         "Manage invoices (Dashboard): filter and export invoices",
                         "the Dashboard's CSV export of invoices")
API_SUBSCRIPTION = Doc("https://docs.stripe.com/api/subscriptions/object",
                       "The Subscription object (Stripe API reference)",
                       "status (trialing, active, past_due, canceled, unpaid, incomplete, "
                       "incomplete_expired, paused), start_date, trial_start, trial_end, canceled_at, "
                       "ended_at, quantity, discounts")
SUBSCRIPTION_LIFECYCLE = Doc("https://docs.stripe.com/billing/subscriptions/overview",
                             "How subscriptions work",
                             "incomplete_expired: the first invoice was never paid, the customer was "
                             "never charged; a trial ends at trial_end, when the first paid invoice is made")
API_CUSTOMER = Doc("https://docs.stripe.com/api/customers/object", "The Customer object (Stripe API reference)",
                   "id, email, name, created")

# Invoice status -> invoices.status. Drafts and void invoices are dropped (below).
INVOICE_STATUS = {"paid": "paid", "open": "open", "uncollectible": "void"}
INTERVAL = {"month": "month", "year": "year", "week": "week"}


def _invoice_amount(row: Row) -> str:
    total = row.get("Total", "Amount Due")
    tax = row.get("Tax")
    if nonzero(tax):
        row.count("derived", "amount")
    return difference(total, tax)


def _currency(row: Row) -> str:
    return row.get("Currency", "Plan Currency").upper()


STRIPE_INVOICES = Source(
    key="stripe_invoices", name="Stripe invoices export", vendor="Stripe", kind="invoices",
    documentation=(DASHBOARD_INVOICES, API_INVOICE, INVOICE_STATUSES),
    recognise=("id", "Amount Due", "Status", ("Date (UTC)", "Created (UTC)")),
    takes=(
        Take("invoice_id", "the invoice's id (in_...)", lambda row: row.get("id")),
        Take("customer_id", "Customer (the cus_... id)", lambda row: row.get("Customer", "Customer ID")),
        Take("date", "the date of Date (UTC)", lambda row: date_of(row.get("Date (UTC)", "Created (UTC)"))),
        Take("amount", "Total minus Tax (revenue is before tax; discounts are already out of Total)",
             _invoice_amount, derived=True),
        Take("currency", "Currency, upper-cased", _currency),
        Take("status", "Status through the status map",
             lambda row: row.mapped(INVOICE_STATUS, row.get("Status"), label="Status")),
    ),
    drops=(
        Drop("draft invoices", lambda row: row.get("Status").lower() == "draft",
             "a draft is not issued and owes nothing"),
        Drop("void invoices", lambda row: row.get("Status").lower() == "void",
             "a voided invoice was cancelled and is not revenue"),
    ),
    maps={"Status": INVOICE_STATUS},
)


def _start(row: Row) -> str:
    """The first day the subscription pays: its start, or its trial end when later."""
    start = date_of(row.get("Start (UTC)", "Start Date (UTC)", "Created (UTC)"))
    trial_end = date_of(row.get("Trial End (UTC)"))
    if trial_end and later_date(start, trial_end):
        row.count("derived", "start_date")
        return trial_end
    return start


def _ended_in_trial(row: Row) -> bool:
    ended = date_of(row.get("Ended At (UTC)"))
    return bool(ended) and not later_date(_start(Row(row.index, row.cells, row.line, Counter())), ended)


def _end(row: Row) -> str:
    if row.get("Canceled At (UTC)") and not row.get("Ended At (UTC)"):
        row.count("canceled, not ended")
    return date_of(row.get("Ended At (UTC)"))


API_COUPON = Doc("https://docs.stripe.com/api/coupons/object", "The Coupon object (Stripe API reference)",
                 "percent_off and amount_off (taken off the subtotal of each invoice), duration: forever, "
                 "once or repeating (with duration_in_months)")
FOREVER = "forever"
DURATIONS = (FOREVER, "once", "repeating")
CENT = Decimal("0.01")


@dataclass
class Coupons:
    """The values people gave for the export's coupons, for one import or preview:
    those sent with it (``given``) over those the tenant confirmed before
    (``confirmed``; ``confirmed_how`` says by whom and when). Coupon id -> {"percent_off"
    or "amount_off": text, "duration": forever/once/repeating}. ``found`` gets the
    subscriptions per coupon once the file has been read."""

    given: dict[str, dict] = field(default_factory=dict)
    confirmed: dict[str, dict] = field(default_factory=dict)
    confirmed_how: dict[str, str] = field(default_factory=dict)
    found: Counter = field(default_factory=Counter)

    def value(self, coupon: str) -> tuple[dict | None, str]:
        """The coupon's value and where it comes from: given, confirmed or unknown."""
        if coupon in self.given:
            return self.given[coupon], "given"
        if coupon in self.confirmed:
            return self.confirmed[coupon], "confirmed"
        return None, "unknown"


def discounted(price: str, quantity: str, value: dict) -> str:
    """The price per unit with a forever coupon: percent_off off the price, amount_off
    off the subscription's subtotal (price x quantity, as Stripe takes it off each
    invoice) shared by its units; to the cent, never below 0. ``price`` unchanged when
    it is not a number (checking reports it)."""
    try:
        amount = Decimal(price)
        units = max(int(quantity or 1), 1)
    except (InvalidOperation, ValueError):
        return price
    if value.get("percent_off") is not None:
        lowered = amount * (100 - Decimal(value["percent_off"])) / 100
    else:
        lowered = amount - Decimal(value["amount_off"]) / units
    return str(max(lowered, Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP))


def _plan(row: Row) -> str:
    if row.get("Coupon"):
        row.count("coupon", row.get("Coupon"))
    return row.get("Plan", "Product", "Plan Name")


def _amount_with(coupons: Coupons | None):
    def amount(row: Row) -> str:
        price = row.get("Amount", "Plan Amount")
        coupon = row.get("Coupon")
        if not coupon or coupons is None:
            return price
        coupons.found[coupon] += 1
        value, how = coupons.value(coupon)
        if value is None:
            return price
        if value.get("duration", FOREVER) != FOREVER:
            row.count("temporary coupon", coupon, value.get("duration"))
            return price
        row.count("coupon applied", coupon, how)
        return discounted(price, whole(row.get("Quantity")), value)
    return amount


def _interval(row: Row) -> str:
    value = row.get("Interval", "Plan Interval")
    if not value:
        row.count("no interval")
        return "month"
    return row.mapped(INTERVAL, value, label="Interval")


def _coupon_remarks(counts: Counter, coupons: Coupons | None) -> list[str]:
    notes = []
    applied = sorted((key[1], key[2], n) for key, n in counts.items() if key[0] == "coupon applied")
    for how, said in (("given", "Coupons applied as given with this import (subscriptions)"),
                      ("confirmed", "Coupons applied as confirmed at an earlier import (subscriptions)")):
        parts = []
        for coupon, _, n in (item for item in applied if item[1] == how):
            value = coupons.value(coupon)[0] if coupons is not None else {}
            off = f"{value['percent_off']} % off" if value.get("percent_off") is not None else (
                f"{value.get('amount_off')} off")
            who = f", {coupons.confirmed_how.get(coupon)}" if how == "confirmed" and coupons.confirmed_how.get(
                coupon) else ""
            parts.append(f"{coupon} ({n:,}): {off} forever{who}")
        if parts:
            notes.append(f"{said}: " + "; ".join(parts) + ". MRR is lowered by them.")
    temporary = sorted((key[1], key[2], n) for key, n in counts.items() if key[0] == "temporary coupon")
    if temporary:
        notes.append("Coupons that do not last forever leave the plan's price (they end, so they do not lower "
                     "MRR): " + ", ".join(f"{coupon} ({duration}, {n:,})" for coupon, duration, n in temporary)
                     + ".")
    return notes


def _subscription_remarks(counts: Counter, coupons: Coupons | None = None) -> list[str]:
    notes = _coupon_remarks(counts, coupons)
    valued = {key[1] for key, _ in counts.items() if key[0] in ("coupon applied", "temporary coupon")}
    unknown = Counter()
    for key, n in counts.items():
        if key[0] == "coupon" and key[1] not in valued:
            unknown[key[1]] += n
    if counts[("canceled, not ended",)]:
        n = counts[("canceled, not ended",)]
        notes.append(f"{n:,} subscription{'s are' if n > 1 else ' is'} canceled but not ended (Canceled At "
                     f"without Ended At): {'they stay' if n > 1 else 'it stays'} active until Ended At.")
    if unknown:
        n = sum(unknown.values())
        notes.append(f"{n:,} subscription{'s carry' if n > 1 else ' carries'} a coupon, but the export names "
                     f"the coupon without its value: amount is the plan's price. Give the coupon's value "
                     f"(percent or amount off, and whether it lasts forever) with the import to lower MRR "
                     f"by it: " + ", ".join(f"{coupon} ({k:,})" for coupon, k in sorted(unknown.items())) + ".")
    if counts[("no interval",)]:
        notes.append("The file has no Interval column: every subscription was read as monthly.")
    return notes


STRIPE_SUBSCRIPTIONS = Source(
    key="stripe_subscriptions", name="Stripe subscriptions export", vendor="Stripe", kind="subscriptions",
    documentation=(API_SUBSCRIPTION, SUBSCRIPTION_LIFECYCLE, API_COUPON),
    recognise=("id", "Customer ID", "Status", "Current Period End (UTC)", ("Start (UTC)", "Start Date (UTC)")),
    takes=(
        Take("subscription_id", "the subscription's id (sub_...)", lambda row: row.get("id")),
        Take("customer_id", "Customer ID", lambda row: row.get("Customer ID")),
        Take("plan", "Plan (the price or plan id)", _plan),
        Take("amount", "Amount (the plan's price per interval, in currency units), lowered by a forever "
             "coupon whose value was given", _amount_with(None)),
        Take("currency", "Currency, upper-cased", _currency),
        Take("interval", "Interval (month when the file has none)", _interval),
        Take("quantity", "Quantity (1 when empty)", lambda row: whole(row.get("Quantity"))),
        Take("start_date", "the later of Start (UTC) and Trial End (UTC): a trial is not revenue until "
             "it ends", _start, derived=True),
        Take("end_date", "the date of Ended At (UTC); Canceled At only says when it was asked to end",
             _end),
    ),
    drops=(
        Drop("incomplete_expired subscriptions", lambda row: row.get("Status").lower() == "incomplete_expired",
             "their first payment never succeeded, so they never started"),
        Drop("incomplete subscriptions", lambda row: row.get("Status").lower() == "incomplete",
             "their first payment has not succeeded yet"),
        Drop("subscriptions that ended during their trial", _ended_in_trial,
             "they never paid"),
    ),
    maps={"Interval": INTERVAL},
    remarks=_subscription_remarks,
)


def subscriptions_with(coupons: Coupons) -> Source:
    """The subscriptions export's declaration for one import or preview: a forever
    coupon whose value is given or confirmed lowers the amount, and ``coupons.found``
    gets the file's coupons once it has been read."""
    takes = tuple(replace(take, value=_amount_with(coupons)) if take.column == "amount" else take
                  for take in STRIPE_SUBSCRIPTIONS.takes)
    return replace(STRIPE_SUBSCRIPTIONS, takes=takes,
                   remarks=lambda counts: _subscription_remarks(counts, coupons))


METADATA = Doc("https://docs.stripe.com/metadata", "Metadata (Stripe Docs)",
               "metadata: up to 50 key-value pairs on a Customer, keys up to 40 characters without square "
               "brackets, values up to 500 characters, set by you and not used by Stripe")
METADATA_IN_EXPORT = Doc("https://docs.cello.so/guides/attribution/stripe-reports",
                         "Stripe reports (Cello guide)",
                         "the Dashboard's customers export (Customers > Export) adds a column for a metadata key "
                         "set on the customers")
# The Dashboard's exports write each metadata key as its own column, "<key> (metadata)".
METADATA_SUFFIX = "(metadata)"


def metadata_key(cell: str) -> str | None:
    """The metadata key a customers export's column holds ("industry (metadata)" ->
    "industry"); None for Stripe's own columns (Card ID, Delinquent, Balance ...): they
    describe the account at Stripe, not who the customer is."""
    text = cell.strip()
    if not text.lower().endswith(METADATA_SUFFIX):
        return None
    return text[:-len(METADATA_SUFFIX)].strip() or None


STRIPE_CUSTOMERS = Source(
    key="stripe_customers", name="Stripe customers export", vendor="Stripe", kind="customers",
    documentation=(API_CUSTOMER, METADATA, METADATA_IN_EXPORT),
    recognise=("id", "Email", "Created (UTC)"),
    takes=(
        Take("customer_id", "the customer's id (cus_...)", lambda row: row.get("id")),
        Take("name", "Name (Description when empty)", lambda row: row.get("Name") or row.get("Description")),
        Take("email", "Email", lambda row: row.get("Email")),
        Take("signup_date", "the date of Created (UTC)", lambda row: date_of(row.get("Created (UTC)"))),
    ),
    attributes=metadata_key,
)


# The itemized balance change report (Reports > Balance > Balance change from activity,
# itemized CSV): one row per balance transaction, amounts in currency units.
BALANCE_REPORT = Doc("https://docs.stripe.com/reports/balance",
                     "Balance summary report (Stripe Docs)",
                     "the Dashboard's itemized CSV of the balance's transactions (charges, refunds, disputes, "
                     "fees, payouts, ...), in the settlement currency after any conversion")
BALANCE_COLUMNS = Doc("https://docs.stripe.com/reports/report-types",
                      "Report types reference (Stripe Docs)",
                      "balance_change_from_activity.itemized: balance_transaction_id, created_utc, created (in the "
                      "report's time zone), currency, gross, fee, net (in major units of the currency), "
                      "reporting_category, source_id, description, customer_facing_amount, "
                      "customer_facing_currency, customer_id, invoice_id")
REPORTING_CATEGORIES = Doc("https://docs.stripe.com/reports/reporting-categories",
                           "Reporting categories and types (Stripe Docs)",
                           "reporting_category: charge, refund, dispute, dispute_reversal, refund_failure, "
                           "partial_capture_reversal, fee, payout, transfer, other_adjustment, ...")

# Reporting categories that move revenue: money a customer paid, or paid back.
REVENUE_CATEGORIES = {"charge", "refund", "dispute", "dispute_reversal", "refund_failure",
                      "partial_capture_reversal"}
FEE_CATEGORIES = {"fee", "network_cost", "tax", "stripe_fee", "platform_earning", "platform_earning_refund"}
PAYOUT_CATEGORIES = {"payout", "payout_reversal"}
TRANSFER_CATEGORIES = {"transfer", "transfer_reversal", "connect_collection_transfer",
                       "connect_reserved_funds", "topup", "topup_reversal"}


def _category(row: Row) -> str:
    return row.get("reporting_category").lower()


def _other_movement(row: Row) -> bool:
    category = _category(row)
    if category in REVENUE_CATEGORIES:
        return False
    row.count("other category", category or "(empty)")
    return True


def _balance_date(row: Row) -> str:
    """The date in the report's time zone (``created``), else the UTC one."""
    return date_of(row.get("created", "created_utc") or row.get("created_utc"))


def _balance_remarks(counts: Counter) -> list[str]:
    notes = []
    others = sorted((key[1], n) for key, n in counts.items() if key[0] == "other category")
    if others:
        notes.append("Reporting categories dropped as not revenue (rows): "
                     + ", ".join(f"{category} ({n:,})" for category, n in others) + ".")
    notes.append("Charges are revenue as the customer paid them, tax included (the report has no tax), in the "
                 "settlement currency (gross). Do not import Stripe's invoices export for the same months too: "
                 "the same payments would count twice.")
    return notes


STRIPE_BALANCE_ITEMIZED = Source(
    key="stripe_balance_itemized", name="Stripe itemized balance change report", vendor="Stripe",
    kind="invoices",
    documentation=(BALANCE_REPORT, BALANCE_COLUMNS, REPORTING_CATEGORIES),
    recognise=("balance_transaction_id", "reporting_category", "gross", "net", ("created_utc", "created")),
    takes=(
        Take("invoice_id", "balance_transaction_id (txn_...): one invoice per balance transaction",
             lambda row: row.get("balance_transaction_id")),
        Take("customer_id", "customer_id (cus_...)", lambda row: row.get("customer_id")),
        Take("date", "the date of created (the report's time zone), else of created_utc", _balance_date),
        Take("amount", "gross (negative for refunds and disputes), in the settlement currency",
             lambda row: row.get("gross")),
        Take("currency", "currency, upper-cased", lambda row: row.get("currency").upper()),
        Take("status", "paid (a balance transaction is money that moved)", lambda row: "paid"),
    ),
    drops=(
        Drop("fees", lambda row: _category(row) in FEE_CATEGORIES,
             "Stripe's fees are a cost of the payments, not revenue"),
        Drop("payouts", lambda row: _category(row) in PAYOUT_CATEGORIES,
             "a payout moves the balance to your bank; it is not revenue"),
        Drop("transfers and top-ups", lambda row: _category(row) in TRANSFER_CATEGORIES,
             "money moved between accounts, not paid by a customer"),
        Drop("other balance movements", _other_movement,
             "adjustments and other categories that are not a customer's payment (named in a note)"),
    ),
    remarks=_balance_remarks,
)
