"""Shopify: the orders CSV export, as invoices (docs/sources.md).

The export has one row per line item; the order's own figures (financial status,
totals, taxes, refunded amount) are on its first row, and the rows after it repeat
its Name with those cells empty. One order is one invoice: revenue is Total minus
Taxes (tax is not revenue), and a refund is a second, negative invoice.
"""

from __future__ import annotations

from collections import Counter

from metrics.imports.sources.declaring import Doc, Drop, Row, Source, Take
from metrics.imports.sources.values import date_of, difference, money_text, number

COLUMNS = Doc("https://help.shopify.com/en/manual/migrating-to-shopify/transporter-app/csv-orders",
              "Order CSV column descriptions (Shopify Help Center)",
              "the orders CSV columns (Name, Email, Financial Status and its values pending, authorized, "
              "partially_paid, paid, partially_refunded, refunded, voided, Currency, line items)")
ONE_ROW_PER_ITEM = Doc("https://docs.xbp.app/docs/development/integrations/shopify/order-format",
                       "Shopify order export format",
                       "one row per line item; the order-level fields only on the order's first row; "
                       "rows grouped by Name")

# Financial Status -> invoices.status (voided orders are dropped).
FINANCIAL_STATUS = {"paid": "paid", "partially_refunded": "paid", "refunded": "paid",
                    "pending": "open", "authorized": "open", "partially_paid": "open"}


def _amount(row: Row) -> str:
    if number(row.get("Taxes")):
        row.count("derived", "amount")
    return difference(row.get("Total"), row.get("Taxes"))


def _refund(row: Row) -> list[dict[str, str]]:
    refunded = number(row.get("Refunded Amount"))
    if not refunded:
        return []
    row.count("refund")
    return [{"invoice_id": f"{row.get('Name')}-refund", "customer_id": row.get("Email"),
             "date": date_of(row.get("Created at")), "amount": money_text(-abs(refunded)),
             "currency": row.get("Currency").upper(), "status": "paid"}]


def _remarks(counts: Counter) -> list[str]:
    n = counts[("refund",)]
    if not n:
        return []
    return [f"{n:,} order{'s have' if n > 1 else ' has'} a Refunded Amount: each refund is a negative invoice "
            f"“<order>-refund” dated on the order's date (the export does not give the refund's date)."]


SHOPIFY_ORDERS = Source(
    key="shopify_orders", name="Shopify orders export", vendor="Shopify", kind="invoices",
    documentation=(COLUMNS, ONE_ROW_PER_ITEM),
    recognise=("Name", "Financial Status", "Lineitem quantity", "Lineitem name", "Total"),
    continuation="Name",
    takes=(
        Take("invoice_id", "Name (the order's number, #1001)", lambda row: row.get("Name")),
        Take("customer_id", "Email (matched to your customers by e-mail)", lambda row: row.get("Email")),
        Take("date", "the date of Created at (the shop's time zone, as exported)",
             lambda row: date_of(row.get("Created at"))),
        Take("amount", "Total minus Taxes (tax is not revenue)", _amount, derived=True),
        Take("currency", "Currency", lambda row: row.get("Currency").upper()),
        Take("status", "Financial Status through the status map",
             lambda row: row.mapped(FINANCIAL_STATUS, row.get("Financial Status"), label="Financial Status")),
    ),
    drops=(
        Drop("voided orders", lambda row: row.get("Financial Status").lower() == "voided",
             "a voided order's payment was cancelled before it was captured"),
    ),
    maps={"Financial Status": FINANCIAL_STATUS},
    extra=_refund,
    remarks=_remarks,
)
