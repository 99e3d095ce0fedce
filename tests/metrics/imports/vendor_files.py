"""Vendor export files built from the layouts documented in docs/sources.md, quirks
included (GA4's "#" preamble and YYYYMMDD dates, Stripe's "(UTC)" timestamps and
lower-case currencies, Shopify's continuation rows, Zendesk's minutes). The values
are small enough to check by hand; each test states the expected figures."""

from __future__ import annotations

import csv
import datetime
import io

from openpyxl import Workbook

from tests.metrics.imports.builders import csv_bytes

STRIPE_INVOICES_HEADER = ["id", "Number", "Customer", "Customer Email", "Customer Name", "Date (UTC)",
                          "Due Date (UTC)", "Status", "Currency", "Subtotal", "Tax", "Total", "Amount Due",
                          "Amount Paid", "Amount Remaining", "Subscription"]


def stripe_invoices() -> bytes:
    return csv_bytes(STRIPE_INVOICES_HEADER, [
        ["in_1", "A1B2-0001", "cus_A", "a@x.example", "Alpha", "2024-01-05 10:00", "", "paid", "usd",
         "100.00", "20.00", "120.00", "120.00", "120.00", "0.00", "sub_1"],
        ["in_2", "A1B2-0002", "cus_B", "b@x.example", "Beta", "2024-01-20 23:30", "", "paid", "usd",
         "50.00", "", "50.00", "50.00", "50.00", "0.00", "sub_2"],
        ["in_3", "", "cus_A", "a@x.example", "Alpha", "2024-01-25 08:00", "", "draft", "usd",
         "70.00", "", "70.00", "70.00", "0.00", "70.00", ""],
        ["in_4", "A1B2-0003", "cus_B", "b@x.example", "Beta", "2024-01-26 08:00", "", "void", "usd",
         "40.00", "", "40.00", "40.00", "0.00", "0.00", ""],
        ["in_5", "A1B2-0004", "cus_A", "a@x.example", "Alpha", "2024-02-03 12:00", "2024-03-03 12:00", "open",
         "usd", "80.00", "", "80.00", "80.00", "0.00", "80.00", "sub_1"],
        ["in_6", "A1B2-0005", "cus_C", "c@x.example", "Gamma", "2024-02-10 12:00", "", "uncollectible", "usd",
         "30.00", "", "30.00", "30.00", "0.00", "30.00", ""],
    ])


def stripe_customers() -> bytes:
    return csv_bytes(["id", "Description", "Email", "Name", "Created (UTC)"], [
        ["cus_A", "", "a@x.example", "Alpha Ltd", "2024-01-03 09:15"],
        ["cus_B", "Beta Inc", "b@x.example", "", "2024-01-18 22:40"],
        ["cus_C", "", "c@x.example", "Gamma", "2024-02-01 00:05"],
    ])


STRIPE_SUBSCRIPTIONS_HEADER = [
    "id", "Customer ID", "Customer Name", "Customer Email", "Plan", "Quantity", "Currency", "Interval", "Amount",
    "Status", "Created (UTC)", "Start (UTC)", "Current Period Start (UTC)", "Current Period End (UTC)",
    "Trial Start (UTC)", "Trial End (UTC)", "Coupon", "Canceled At (UTC)", "Cancel At Period End",
    "Ended At (UTC)"]


def stripe_subscriptions() -> bytes:
    return csv_bytes(STRIPE_SUBSCRIPTIONS_HEADER, [
        ["sub_1", "cus_A", "Alpha", "a@x.example", "growth", "1", "usd", "month", "100.00", "active",
         "2024-01-05 10:00", "2024-01-05 10:00", "2024-04-05 10:00", "2024-05-05 10:00", "", "", "", "",
         "false", ""],
        # A trial: paying from its trial end.
        ["sub_2", "cus_B", "Beta", "b@x.example", "starter", "2", "usd", "month", "30.00", "active",
         "2024-01-10 09:00", "2024-01-10 09:00", "2024-04-10 09:00", "2024-05-10 09:00", "2024-01-10 09:00",
         "2024-02-10 09:00", "", "", "false", ""],
        # Canceled on Feb 1st, ended on Mar 15th: Ended At ends it.
        ["sub_3", "cus_C", "Gamma", "c@x.example", "growth-annual", "1", "usd", "year", "1200.00", "canceled",
         "2024-01-15 12:00", "2024-01-15 12:00", "2024-01-15 12:00", "2024-03-15 12:00", "", "", "",
         "2024-02-01 08:00", "false", "2024-03-15 12:00"],
        # Never started.
        ["sub_4", "cus_D", "Delta", "d@x.example", "growth", "1", "usd", "month", "100.00", "incomplete_expired",
         "2024-01-22 10:00", "2024-01-22 10:00", "2024-01-22 10:00", "2024-02-22 10:00", "", "", "", "", "false",
         "2024-01-23 10:00"],
        # Ended when its trial ended: never paid.
        ["sub_5", "cus_E", "Epsilon", "e@x.example", "starter", "1", "usd", "month", "30.00", "canceled",
         "2024-01-20 10:00", "2024-01-20 10:00", "2024-01-20 10:00", "2024-02-03 10:00", "2024-01-20 10:00",
         "2024-02-03 10:00", "", "2024-01-28 10:00", "false", "2024-02-03 10:00"],
        # A coupon, and canceled at period end but not ended yet.
        ["sub_6", "cus_A", "Alpha", "a@x.example", "addon", "1", "usd", "month", "50.00", "active",
         "2024-02-01 10:00", "2024-02-01 10:00", "2024-04-01 10:00", "2024-05-01 10:00", "", "", "SAVE20",
         "2024-03-01 10:00", "true", ""],
    ])


GA4_PREAMBLE = [
    "# ----------------------------------------",
    "# Traffic acquisition: Session primary channel group (Default Channel Group)",
    "# Account: Example account",
    "# Property: Example property",
    "# ----------------------------------------",
    "#",
    "# All Users",
    "# Start date: 20240101",
    "# End date: 20240131",
]


def ga4_traffic_acquisition() -> bytes:
    table = csv_bytes(
        ["Session primary channel group (Default Channel Group)", "Date", "Users", "Sessions",
         "Engaged sessions", "Average engagement time per session", "Engaged sessions per user",
         "Events per session", "Engagement rate", "Key events", "Total revenue"],
        [["Organic Search", "20240101", "80", "100", "60", "45.2", "0.75", "5.1", "0.6", "3", "0"],
         ["Direct", "20240101", "40", "50", "20", "30.0", "0.5", "3.2", "0.4", "0", "0"],
         ["Organic Search", "20240102", "90", "120", "90", "50.1", "1", "6.0", "0.75", "5", "0"],
         ["Paid Search", "20240115", "25", "30", "12", "20.5", "0.48", "2.9", "0.4", "1", "0"]])
    return ("\n".join(GA4_PREAMBLE) + "\n\n").encode() + table


def zendesk_tickets() -> bytes:
    return csv_bytes(
        ["Id", "Requester", "Requester id", "Requester email", "Subject", "Status", "Priority", "Via",
         "Ticket type", "Created at", "Updated at", "Solved at", "First reply time in minutes",
         "First reply time in minutes within business hours", "Full resolution time in minutes",
         "Full resolution time in minutes within business hours"],
        [["101", "Alpha", "9001", "a@x.example", "Cannot log in", "Solved", "High", "Mail", "Problem",
          "2024-01-15 09:30:00 +0000", "2024-01-15 16:00:00 +0000", "2024-01-15 16:00:00 +0000", "45", "45",
          "390", "390"],
         ["102", "Beta", "9002", "b@x.example", "Invoice question", "Open", "Normal", "Web form", "Question",
          "2024-01-16 14:00:00 +0100", "2024-01-16 16:00:00 +0100", "", "120", "120", "", ""],
         ["103", "Gamma", "9003", "c@x.example", "Feature request", "New", "Low", "Mail", "Task",
          "2024-01-20 08:00:00 +0000", "2024-01-20 08:00:00 +0000", "", "", "", "", ""]])


def hubspot_contacts() -> bytes:
    return csv_bytes(
        ["Record ID", "First Name", "Last Name", "Email", "Phone Number", "Contact owner", "Lifecycle Stage",
         "Lead Status", "Create Date", "Last Activity Date", "Original Source", "Became a Customer Date"],
        [["501", "Ann", "Lee", "ann@x.example", "", "", "Lead", "New", "2024-01-05 10:23", "", "Organic Search",
          ""],
         ["502", "Bo", "Chen", "bo@x.example", "", "", "Marketing Qualified Lead", "Open", "2024-01-10 08:00", "",
          "Paid Search", ""],
         ["503", "Cy", "Diaz", "cy@x.example", "", "", "Customer", "Connected", "2024-01-12 16:45", "",
          "Referrals", "2024-02-01 14:00"],
         ["504", "Di", "Eng", "di@x.example", "", "", "Subscriber", "", "2024-02-02 09:00", "", "Direct Traffic",
          ""]])


SHOPIFY_HEADER = ["Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
                  "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
                  "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
                  "Lineitem price", "Lineitem sku", "Billing Name", "Cancelled at", "Refunded Amount", "Id"]


def shopify_orders() -> bytes:
    blank_order = [""] * 15
    return csv_bytes(SHOPIFY_HEADER, [
        ["#1001", "a@x.example", "paid", "2024-01-03 10:15:00 -0500", "fulfilled", "", "no", "USD", "47.00",
         "6.00", "3.29", "56.29", "FALL5", "5.00", "Standard", "2024-01-03 10:14:00 -0500", "2", "Fern Print",
         "16.00", "FERN-1", "Ann Example", "", "0.00", "5550000001"],
        # The same order's second line item: a continuation row.
        ["#1001", "a@x.example", *blank_order[2:], "2024-01-03 10:14:00 -0500", "1", "Canvas Tote", "20.00",
         "TOTE-1", "", "", "", ""],
        ["#1002", "b@x.example", "partially_refunded", "2024-01-10 09:00:00 -0500", "fulfilled", "", "no", "USD",
         "100.00", "0.00", "8.00", "108.00", "", "0.00", "Pickup", "2024-01-10 09:00:00 -0500", "1", "Mug",
         "100.00", "MUG-1", "Bo Example", "", "54.00", "5550000002"],
        ["#1003", "c@x.example", "voided", "", "unfulfilled", "", "no", "USD", "25.00", "0.00", "0.00", "25.00",
         "", "0.00", "Standard", "2024-01-12 11:00:00 -0500", "1", "Cap", "25.00", "CAP-1", "Cy Example",
         "2024-01-12 12:00:00 -0500", "0.00", "5550000003"],
        ["#1004", "d@x.example", "pending", "", "unfulfilled", "", "no", "USD", "20.00", "0.00", "0.00", "20.00",
         "", "0.00", "Standard", "2024-01-20 11:00:00 -0500", "1", "Pin", "20.00", "PIN-1", "Di Example", "",
         "0.00", "5550000004"],
    ])


QUICKBOOKS_TITLE = [["Transaction Detail by Account"], ["Example Trading Ltd"], ["January - February, 2024"], []]
QUICKBOOKS_HEADER = ["", "Date", "Transaction Type", "Num", "Name", "Memo/Description", "Split", "Amount",
                     "Balance"]


def _quickbooks_body(date, money) -> list[list]:
    """The report's rows after its header: a section per account (its name alone in
    the first column), its lines, "Total for <account>", a grand TOTAL and the footer.
    ``date`` and ``money`` write a cell as the export does (CSV text or XLSX values)."""
    def line(day, kind, num, name, memo, split, amount, balance):
        return ["", date(day), kind, num, name, memo, split, money(amount), money(balance)]

    def section(account, *lines, total):
        return [[account] + [""] * 8, *lines, [f"Total for {account}", "", "", "", "", "", "", f"${total}", ""]]

    return [
        *section("Advertising",
                 line("2024-01-05", "Expense", "", "Google Ads", "Search ads January", "Checking", "1250.00",
                      "1250.00"),
                 line("2024-01-20", "Bill", "1043", "Meta Platforms", "Social campaign",
                      "Accounts Payable (A/P)", "300.00", "1550.00"),
                 # The same charge twice on one day: two expenses.
                 line("2024-02-03", "Expense", "", "Google Ads", "Search ads", "Checking", "75.00", "1625.00"),
                 line("2024-02-03", "Expense", "", "Google Ads", "Search ads", "Checking", "75.00", "1700.00"),
                 line("2024-02-09", "Vendor Credit", "1044", "Meta Platforms", "Campaign credit",
                      "Accounts Payable (A/P)", "-50.00", "1650.00"),
                 total="1,650.00"),
        *section("Cost of Goods Sold",
                 line("2024-01-12", "Bill", "88", "Acme Supplies", "Materials", "Accounts Payable (A/P)", "400.00",
                      "400.00"),
                 total="400.00"),
        *section("Commissions & fees",
                 line("2024-01-31", "Expense", "", "Sam Agent", "January commission", "Checking", "150.00",
                      "150.00"),
                 total="150.00"),
        *section("Rent or Lease",
                 line("2024-01-01", "Check", "501", "Landlord LLC", "January rent", "Checking", "2000.00",
                      "2000.00"),
                 line("2024-02-01", "Check", "502", "Landlord LLC", "February rent", "Checking", "2000.00",
                      "4000.00"),
                 total="4,000.00"),
        *section("Software Subscriptions",
                 line("2024-01-15", "Expense", "", "Slack", "Workspace", "Mastercard", "80.00", "80.00"),
                 total="80.00"),
        *section("Checking",
                 line("2024-01-01", "Check", "501", "Landlord LLC", "January rent", "Rent or Lease", "-2000.00",
                      "-2000.00"),
                 total="-2,000.00"),
        *section("Sales of Product Income",
                 line("2024-01-08", "Invoice", "1001", "Customer A", "", "Accounts Receivable (A/R)", "500.00",
                      "500.00"),
                 total="500.00"),
        ["TOTAL", "", "", "", "", "", "", "$4,780.00", ""],
        [],
        ["Accrual Basis Monday, March 4, 2024 10:15 AM GMT-05:00"] + [""] * 8,
    ]


def _us_date(iso: str) -> str:
    return datetime.date.fromisoformat(iso).strftime("%m/%d/%Y")


def _grouped(amount: str) -> str:
    return f"{float(amount):,.2f}"


def quickbooks_transaction_detail() -> bytes:
    """The CSV export: month-first dates (a US company), grouped thousands, "$" on totals."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerows(QUICKBOOKS_TITLE)
    writer.writerow(QUICKBOOKS_HEADER)
    writer.writerows(_quickbooks_body(_us_date, _grouped))
    return out.getvalue().encode()


def quickbooks_transaction_detail_xlsx() -> bytes:
    """The XLSX export of the same report: date cells and numbers."""
    workbook = Workbook()
    sheet = workbook.active
    for row in [*QUICKBOOKS_TITLE, QUICKBOOKS_HEADER,
                *_quickbooks_body(datetime.date.fromisoformat, float)]:
        sheet.append(row or [None])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


SURVEYMONKEY_HEADER = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address",
                       "First Name", "Last Name", "Custom Data 1",
                       "How likely is it that you would recommend Acme to a friend or colleague?",
                       "What is the main reason for your score?", "Which features do you use?", ""]
# The second header row: what each column of a question holds.
SURVEYMONKEY_SUBHEADER = [""] * 9 + ["Response", "Open-Ended Response", "Reports", "Dashboards"]


def surveymonkey_responses() -> bytes:
    def response(respondent, start, end, email, score, reason="", features=("", "")):
        return [respondent, "401234567", start, end, "203.0.113.9", email, "", "", "", score, reason, *features]

    return csv_bytes(SURVEYMONKEY_HEADER, [
        SURVEYMONKEY_SUBHEADER,
        response("114001", "01/15/2024 09:30:05 AM", "01/15/2024 09:32:10 AM", "a@x.example", "10",
                 "Fast support", ("Reports", "")),
        response("114002", "01/20/2024 02:05:00 PM", "01/20/2024 02:07:30 PM", "b@x.example", "9"),
        response("114003", "01/22/2024 11:00:00 AM", "01/22/2024 11:01:00 AM", "c@x.example", "7"),
        response("114004", "01/28/2024 04:10:00 PM", "01/28/2024 04:12:45 PM", "d@x.example", "3", "Too slow"),
        # Skipped the NPS question.
        response("114005", "02/02/2024 10:00:00 AM", "02/02/2024 10:00:30 AM", "e@x.example", ""),
        response("114006", "02/10/2024 11:58:00 PM", "02/10/2024 11:59:59 PM", "f@x.example", "8"),
    ])


# Each source's file, by source key.
FILES = {
    "stripe_invoices": stripe_invoices, "stripe_customers": stripe_customers,
    "stripe_subscriptions": stripe_subscriptions, "ga4_traffic_acquisition": ga4_traffic_acquisition,
    "zendesk_tickets": zendesk_tickets, "hubspot_contacts": hubspot_contacts, "shopify_orders": shopify_orders,
    "quickbooks_transaction_detail": quickbooks_transaction_detail,
    "surveymonkey_responses": surveymonkey_responses,
}


CHARGEBEE_HEADER = [
    "subscriptions.id", "customers.id", "customers.email", "subscriptions.plan_id", "subscriptions.plan_quantity",
    "subscriptions.plan_unit_price", "subscriptions.plan_amount", "subscriptions.currency_code",
    "subscriptions.billing_period", "subscriptions.billing_period_unit", "subscriptions.status",
    "subscriptions.start_date", "subscriptions.trial_start", "subscriptions.trial_end",
    "subscriptions.current_term_start", "subscriptions.current_term_end", "subscriptions.created_at",
    "subscriptions.started_at", "subscriptions.activated_at", "subscriptions.cancelled_at",
    "subscriptions.pause_date", "subscriptions.resume_date", "subscriptions.remaining_billing_cycles",
    "subscriptions.auto_collection", "subscriptions.cf_crm_deal_id"]


def chargebee_subscriptions() -> bytes:
    """Chargebee's Subscriptions.csv: ``resource.field`` columns, amounts in currency
    units, a custom field (``cf_``), statuses future, in_trial, non_renewing, paused."""
    def sub(sid, customer, plan, quantity, price, period, unit, status, *, start="", trial=("", ""),
            created, started="", activated="", cancelled="", pause=("", "")):
        amount = f"{float(price) * int(quantity):.2f}"
        return [sid, customer, f"{customer.lower()}@x.example", plan, quantity, price, amount, "USD", period, unit,
                status, start, trial[0], trial[1], "", "", created, started, activated, cancelled, pause[0],
                pause[1], "", "on", ""]

    return csv_bytes(CHARGEBEE_HEADER, [
        sub("cb_1", "A", "pro-monthly", "1", "100.00", "1", "month", "active", created="2024-01-05 10:00:00",
            started="2024-01-05 10:00:00", activated="2024-01-05 10:00:00"),
        # A trial that converted: paying from its trial end.
        sub("cb_2", "B", "team-monthly", "2", "30.00", "1", "month", "active", created="2024-01-10 09:00:00",
            started="2024-01-10 09:00:00", trial=("2024-01-10 09:00:00", "2024-02-10 09:00:00"),
            activated="2024-02-10 09:00:00"),
        sub("cb_3", "C", "pro-annual", "1", "1200.00", "1", "year", "cancelled", created="2024-01-15 12:00:00",
            started="2024-01-15 12:00:00", activated="2024-01-15 12:00:00", cancelled="2024-03-15 12:00:00"),
        # Scheduled to start in June: not started.
        sub("cb_4", "D", "pro-monthly", "1", "100.00", "1", "month", "future", start="2024-06-01 00:00:00",
            created="2024-01-22 10:00:00"),
        # Cancelled when its trial ended: never paid.
        sub("cb_5", "E", "team-monthly", "1", "30.00", "1", "month", "cancelled", created="2024-01-20 10:00:00",
            started="2024-01-20 10:00:00", trial=("2024-01-20 10:00:00", "2024-02-03 10:00:00"),
            cancelled="2024-02-03 10:00:00"),
        # Cancels at the end of its term, in May.
        sub("cb_6", "A", "addon-monthly", "1", "50.00", "1", "month", "non_renewing", created="2024-02-01 10:00:00",
            started="2024-02-01 10:00:00", activated="2024-02-01 10:00:00", cancelled="2024-05-01 10:00:00"),
        # Paused from March 8th to June 8th.
        sub("cb_7", "F", "basic-monthly", "1", "40.00", "1", "month", "paused", created="2024-01-08 08:00:00",
            started="2024-01-08 08:00:00", activated="2024-01-08 08:00:00",
            pause=("2024-03-08 08:00:00", "2024-06-08 08:00:00")),
        # Billed every three months.
        sub("cb_8", "G", "pro-quarterly", "1", "90.00", "3", "month", "active", created="2024-02-15 08:00:00",
            started="2024-02-15 08:00:00", activated="2024-02-15 08:00:00"),
        # Billed every six months: no such interval, read as its monthly share.
        sub("cb_9", "H", "pro-semiannual", "1", "300.00", "6", "month", "active", created="2024-03-01 08:00:00",
            started="2024-03-01 08:00:00", activated="2024-03-01 08:00:00"),
        # In its trial until May 4th.
        sub("cb_10", "I", "basic-monthly", "1", "25.00", "1", "month", "in_trial", created="2024-04-20 08:00:00",
            started="2024-04-20 08:00:00", trial=("2024-04-20 08:00:00", "2024-05-04 08:00:00")),
    ])


STRIPE_BALANCE_HEADER = [
    "balance_transaction_id", "created_utc", "created", "available_on_utc", "available_on", "currency", "gross",
    "fee", "net", "reporting_category", "source_id", "description", "customer_facing_amount",
    "customer_facing_currency", "automatic_payout_id", "customer_id", "customer_email", "charge_id",
    "payment_intent_id", "invoice_id"]


def stripe_balance_itemized() -> bytes:
    """The itemized balance change report (report time zone Europe/Paris): gross, fee and
    net in major units, negative gross for money out, a charge paid in EUR settled in
    USD (customer_facing_* differ), fees, a payout, a transfer and an adjustment."""
    def txn(tid, utc, local, category, gross, fee, source, *, customer="", facing=("", ""), description=""):
        net = f"{float(gross) - float(fee):.2f}"
        return [tid, utc, local, utc, local, "usd", gross, fee, net, category, source, description, facing[0],
                facing[1], "", customer, f"{customer}@x.example" if customer else "",
                source if source.startswith("ch_") else "", "", ""]

    return csv_bytes(STRIPE_BALANCE_HEADER, [
        txn("txn_1", "2024-01-05 10:00:00", "2024-01-05 11:00:00", "charge", "120.00", "3.78", "ch_1",
            customer="cus_A", facing=("120.00", "usd"), description="Subscription update"),
        txn("txn_2", "2024-01-20 12:00:00", "2024-01-20 13:00:00", "charge", "50.00", "1.75", "ch_2",
            customer="cus_B", facing=("50.00", "usd")),
        txn("txn_3", "2024-01-21 00:00:00", "2024-01-21 01:00:00", "fee", "-5.00", "0.00", "",
            description="Billing - Usage Fee (2024-01-20)"),
        txn("txn_4", "2024-01-25 09:00:00", "2024-01-25 10:00:00", "refund", "-20.00", "0.00", "re_1",
            customer="cus_A", facing=("-20.00", "usd"), description="REFUND FOR CHARGE (Subscription update)"),
        txn("txn_5", "2024-01-31 18:00:00", "2024-01-31 19:00:00", "payout", "-140.00", "0.00", "po_1",
            description="STRIPE PAYOUT"),
        # 23:30 UTC on Jan 31st is Feb 1st in the report's time zone: a February charge,
        # paid in EUR by the customer and settled in USD.
        txn("txn_6", "2024-01-31 23:30:00", "2024-02-01 00:30:00", "charge", "80.00", "2.62", "ch_3",
            customer="cus_A", facing=("73.50", "eur")),
        txn("txn_7", "2024-02-10 08:00:00", "2024-02-10 09:00:00", "dispute", "-50.00", "15.00", "dp_1",
            customer="cus_B", description="Chargeback withdrawal for ch_2"),
        txn("txn_8", "2024-02-12 08:00:00", "2024-02-12 09:00:00", "transfer", "-10.00", "0.00", "tr_1"),
        txn("txn_9", "2024-02-14 08:00:00", "2024-02-14 09:00:00", "other_adjustment", "2.00", "0.00", "ia_1",
            description="Adjustment"),
    ])


FILES.update({"chargebee_subscriptions": chargebee_subscriptions, "stripe_balance_itemized": stripe_balance_itemized})


# Freshdesk's ticket export: the ticket fields' labels in the export's order, then the
# contact's fields; times "%F %T" in the agent's time zone, durations hh:mm:ss in
# business hours ("00:00:00" when there was no response).
FRESHDESK_HEADER = ["Ticket ID", "Subject", "Status", "Priority", "Source", "Type", "Agent", "Group", "Created time",
                    "Due by Time", "Resolved time", "Closed time", "Last update time", "Initial response time",
                    "Time tracked", "First response time (in hrs)", "Resolution time (in hrs)",
                    "Agent interactions", "Customer interactions", "Resolution status", "First response status",
                    "Tags", "Survey results", "Product", "Full name", "Email", "Contact ID"]


def freshdesk_tickets(*, without: tuple[str, ...] = ()) -> bytes:
    """``without``: columns the agent left out of the export."""
    def ticket(tid, status, priority, source, created, resolved, closed, first, first_hours, resolution_hours,
               email):
        return [tid, "Subject", status, priority, source, "Question", "Sam Agent", "Support", created,
                "2024-02-15 09:00:00", resolved, closed, created, first, "00:00", first_hours, resolution_hours, "1",
                "1", "Within SLA" if resolved else "", "Within SLA" if first else "", "", "", "Acme", "Customer",
                email, "7000" + tid]

    rows = [
        ticket("201", "Resolved", "High", "Email", "2024-01-15 09:30:00", "2024-01-15 16:00:00", "",
               "2024-01-15 10:15:00", "00:45:00", "06:30:00", "a@x.example"),
        ticket("202", "Closed", "Medium", "Portal", "2024-01-16 14:00:00", "2024-01-16 18:00:00",
               "2024-01-17 18:00:00", "2024-01-16 16:00:00", "02:00:00", "04:00:00", "b@x.example"),
        # Never answered: the durations say 00:00:00.
        ticket("203", "Open", "Low", "Chat", "2024-01-20 08:00:00", "", "", "", "00:00:00", "00:00:00",
               "c@x.example"),
        # Answered an hour later, after midnight; half an hour of it in business hours.
        ticket("204", "Pending", "Urgent", "Phone", "2024-01-31 23:30:00", "", "", "2024-02-01 00:30:00",
               "00:30:00", "00:00:00", "d@x.example"),
    ]
    keep = [position for position, name in enumerate(FRESHDESK_HEADER) if name not in without]
    return csv_bytes([FRESHDESK_HEADER[p] for p in keep], [[row[p] for p in keep] for row in rows])


TYPEFORM_RESPONSE_COLUMNS = ["Response Type", "Start Date (UTC)", "Stage Date (UTC)", "Submit Date (UTC)",
                             "Network ID", "Tags"]


def typeform_responses(*, nps_question: str = "How likely are you to recommend Acme to a friend or colleague?"
                       ) -> bytes:
    """Typeform's CSV: "#" (the token), the questions, the hidden field email, then the
    response's own columns; UTC times; a partial response without a submit date."""
    header = ["#", nps_question, "What is the main reason for your score?", "How big is your team?", "email",
              *TYPEFORM_RESPONSE_COLUMNS]

    def response(token, score, reason, team, email, kind, start, submit):
        return [token, score, reason, team, email, kind, start, "", submit, "a1b2c3d4e5", ""]

    return csv_bytes(header, [
        response("t0k1", "10", "Fast support", "11-50", "a@x.example", "completed", "2024-01-15 09:30:00",
                 "2024-01-15 09:32:10"),
        response("t0k2", "6", "", "1-10", "b@x.example", "completed", "2024-01-20 14:05:00", "2024-01-20 14:07:30"),
        # Left before the end: no submit date.
        response("t0k3", "9", "", "", "", "partial", "2024-01-21 10:00:00", ""),
        # Submitted without answering the NPS question.
        response("t0k4", "", "No opinion", "51-200", "e@x.example", "completed", "2024-01-22 11:00:00",
                 "2024-01-22 11:01:00"),
        response("t0k5", "9", "", "11-50", "c@x.example", "completed", "2024-01-25 08:00:00", "2024-01-25 08:03:00"),
        response("t0k6", "8", "", "1-10", "d@x.example", "completed", "2024-02-03 10:00:00", "2024-02-03 10:02:00"),
    ])


PIPEDRIVE_HEADER = ["Deal - ID", "Deal - Title", "Deal - Creator", "Deal - Owner", "Deal - Value",
                    "Deal - Currency of Value", "Deal - Organization", "Deal - Contact person", "Deal - Pipeline",
                    "Deal - Stage", "Deal - Status", "Deal - Deal created", "Deal - Update time", "Deal - Won time",
                    "Deal - Lost time", "Deal - Deal closed on", "Deal - Lost reason", "Deal - Source channel",
                    "Person - Email - Work"]


def pipedrive_deals() -> bytes:
    """Pipedrive's deals export: "<item> - <field>" columns, statuses Won/Lost/Open."""
    def deal(did, title, stage, status, created, won="", lost="", channel="", email=""):
        return [did, title, "Sam Seller", "Sam Seller", "1200", "USD", f"{title} Ltd", title, "Sales", stage, status,
                created, created, won, lost, won or lost, "Too expensive" if lost else "", channel, email]

    return csv_bytes(PIPEDRIVE_HEADER, [
        deal("11", "Alpha", "Negotiations Started", "Won", "2024-01-05 10:00:00", won="2024-02-01 14:00:00",
             channel="Organic search", email="a@x.example"),
        deal("12", "Beta", "Proposal Made", "Lost", "2024-01-10 09:00:00", lost="2024-01-20 09:00:00",
             channel="Paid search", email="b@x.example"),
        deal("13", "Gamma", "Qualified", "Open", "2024-01-12 16:45:00", email="c@x.example"),
        deal("14", "Delta", "Negotiations Started", "Won", "2024-01-15 11:00:00", won="2024-01-25 11:00:00",
             email="d@x.example"),
        deal("15", "Epsilon", "Qualified", "Open", "2024-02-02 09:00:00", channel="Organic search"),
    ])


FILES.update({"freshdesk_tickets": freshdesk_tickets, "typeform_responses": typeform_responses,
              "pipedrive_deals": pipedrive_deals})


def ecb_reference_rates() -> bytes:
    """eurofxref-hist.csv: units of each currency per euro, newest day first, N/A where
    a currency was not quoted (CYP since it joined the euro, CHF on one day), and a
    trailing comma (an unnamed last column) on every line. A subset of its columns, in
    the file's order."""
    lines = [
        "Date,USD,JPY,CYP,GBP,CHF,",
        "2024-02-01,1.0800,162.00,N/A,0.8640,0.9000,",
        "2024-01-31,1.1200,160.00,N/A,0.8960,0.9600,",
        "2024-01-15,1.1000,160.00,N/A,0.8800,N/A,",
        "2024-01-02,1.0800,160.00,N/A,0.9000,0.9000,",
    ]
    return ("\n".join(lines) + "\n").encode()


FILES.update({"ecb_reference_rates": ecb_reference_rates})


HUBSPOT_DEALS_HEADER = ["Record ID", "Deal Name", "Deal Stage", "Pipeline", "Amount", "Close Date", "Create Date",
                        "Deal owner", "Deal Type", "Original Traffic Source", "Associated Contact"]


def hubspot_deals() -> bytes:
    """HubSpot's deals export: stage labels of the default pipeline (and one custom
    stage), Close Date set on closing, each associated contact as "Name (e-mail)"."""
    return csv_bytes(HUBSPOT_DEALS_HEADER, [
        ["9001", "Alpha - Growth", "Closed Won", "Sales Pipeline", "1200", "2024-02-01 14:00", "2024-01-05 10:00",
         "Sam Seller", "New Business", "Organic Search", "Ann Lee (ann@x.example);Al Bo (al@x.example)"],
        ["9002", "Beta - Starter", "Closed Lost", "Sales Pipeline", "300", "2024-01-20 09:00", "2024-01-10 09:00",
         "Sam Seller", "New Business", "Paid Search", "Bo Chen (bo@x.example)"],
        ["9003", "Gamma - Growth", "Contract Sent", "Sales Pipeline", "1200", "2024-01-31 23:59",
         "2024-01-12 16:45", "Sam Seller", "New Business", "Referrals", "Cy Diaz (cy@x.example)"],
        # Won on Jan 25th; its Close Date is the day it was closed.
        ["9004", "Delta - Growth", "closedwon", "default", "1200", "2024-01-25 11:00", "2024-01-15 11:00",
         "Sam Seller", "Existing Business", "Direct Traffic", "Di Eng (di@x.example)"],
        # A custom stage: not read as won.
        ["9005", "Epsilon - Pilot", "Pilot running", "Enterprise", "5000", "2024-03-31 23:59",
         "2024-02-02 09:00", "Sam Seller", "New Business", "Offline Sources", "Ed Fox (ed@x.example)"],
    ])


FILES.update({"hubspot_deals": hubspot_deals})


XERO_HEADER = ["Date", "Source", "Description", "Reference", "Currency", "Debit (Source)", "Credit (Source)",
               "Debit (USD)", "Credit (USD)", "Running Balance (USD)"]


def xero_account_transactions() -> bytes:
    """Xero's Account Transactions report of a US organisation (base currency USD):
    title lines, each account's name alone in the Date column, opening and closing
    balances, Total rows, dates written 10 Jan 2024, amounts in the source and the base
    currency (a euro bill), grouped thousands."""
    def account(name, lines):
        return [[name] + [""] * 9, ["Opening Balance"] + [""] * 8 + ["0.00"], *lines,
                [f"Total {name}"] + [""] * 9, ["Closing Balance"] + [""] * 9]

    body = [
        *account("Advertising", [
            ["10 Jan 2024", "Spend Money", "Google Ads", "GA-1", "USD", "500.00", "", "500.00", "", "500.00"],
            ["20 Jan 2024", "Payable Invoice", "Facebook ads", "FB-7", "EUR", "1,000.00", "", "1,100.00", "",
             "1,600.00"],
            ["05 Feb 2024", "Payable Credit Note", "Refund of ad credit", "FB-CN", "USD", "", "100.00", "", "100.00",
             "1,500.00"]]),
        *account("Rent", [
            ["01 Feb 2024", "Spend Money", "February rent", "", "USD", "2,000.00", "", "2,000.00", "", "2,000.00"]]),
        *account("Business Bank Account", [
            ["10 Jan 2024", "Spend Money", "Google Ads", "GA-1", "USD", "", "500.00", "", "500.00", "-500.00"]]),
        *account("Software Licences", [
            ["15 Feb 2024", "Spend Money", "Figma", "", "USD", "45.00", "", "45.00", "", "45.00"]]),
    ]
    title = "Account Transactions\nDemo Company (US)\nFor the period January 1, 2024 to February 29, 2024\n\n"
    return title.encode() + csv_bytes(XERO_HEADER, body)


FILES.update({"xero_account_transactions": xero_account_transactions})


BAREMETRICS_HEADER = ["plan_oid", "plan_name", "plan_currency", "plan_amount", "plan_interval", "plan_interval_count",
                      "customer_oid", "customer_name", "customer_email", "subscription_oid", "subscription_started_at",
                      "subscription_canceled_at", "subscription_quantity"]


def baremetrics_subscriptions() -> bytes:
    """Baremetrics' manual import template: amounts as integers of cents, a quarterly
    plan as 3 months, the cancellation date only when cancelled, quantity optional."""
    return csv_bytes(BAREMETRICS_HEADER, [
        ["plan_1", "Growth", "USD", "10000", "month", "1", "customer_1", "Alpha", "a@x.example", "subscription_1",
         "2024-01-05", "", "1"],
        ["plan_2", "Growth annual", "USD", "120000", "year", "1", "customer_2", "Beta", "b@x.example",
         "subscription_2", "2024-01-15", "2024-03-15", "1"],
        ["plan_3", "Quarterly", "USD", "9000", "month", "3", "customer_3", "Gamma", "c@x.example", "subscription_3",
         "2024-02-01", "", "1"],
        ["plan_4", "Half-yearly", "USD", "30000", "month", "6", "customer_4", "Delta", "d@x.example",
         "subscription_4", "2024-03-01", "", "2"],
        ["plan_1", "Growth", "USD", "10000", "month", "1", "customer_1", "Alpha", "a@x.example", "subscription_5",
         "2024-02-10", "", ""],
    ])


FILES.update({"baremetrics_subscriptions": baremetrics_subscriptions})

# The same contacts export, read as customers (its CRM properties kept as attributes).
FILES.update({"hubspot_contacts_customers": hubspot_contacts})
