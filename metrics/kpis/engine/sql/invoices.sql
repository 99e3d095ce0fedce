-- Revenue and orders per month (kpi-catalog.md, "Revenue and cost KPIs"). Only paid
-- invoices count (open and void do not); refunds and credit notes are negative paid
-- invoices and reduce revenue, but are not orders. Sums are taken per currency first
-- and converted once per month: the rate is the same for every invoice of the month.
WITH /*common*/,
-- Grouped by day first: a million invoices fall on a few hundred days, so the month of
-- each day is worked out a few hundred times rather than a million, and so are the
-- bounds of the series (every invoice is inside them anyway: the series spans all data).
-- Paid invoices that are not orders (amount <= 0: refunds, credit notes) are rare, so
-- they are what is counted apart: a filtered aggregate costs little on rows it skips.
per_day AS (
    SELECT date, currency, invoices, paid,
           invoices - not_orders AS orders, paid - refunded AS ordered
    FROM (SELECT i.date, i.currency,
                 count(*) AS invoices,
                 sum(i.amount) AS paid,
                 count(*) FILTER (WHERE i.amount <= 0) AS not_orders,
                 coalesce(sum(i.amount) FILTER (WHERE i.amount < 0), 0) AS refunded
          FROM /*invoice_rows*/ i
          WHERE i.status = 'paid'
          GROUP BY i.date, i.currency
          OFFSET 0) AS days  -- not a filter on the rows: OFFSET 0 keeps it out
    WHERE date >= %(first)s::date AND date < %(after_last)s::date
),
per_currency AS (
    SELECT (date_part('year', date) * 12 + date_part('month', date) - 1)::int AS mi,
           currency,
           sum(invoices) AS invoices,
           sum(paid) AS paid,
           sum(orders) AS orders,
           coalesce(sum(ordered), 0) AS ordered
    FROM per_day
    GROUP BY 1, 2
),
converted AS (
    SELECT p.mi, sum(p.paid * fx.rate) AS revenue, sum(p.orders) AS orders,
           sum(p.ordered * fx.rate) AS ordered
    FROM per_currency p JOIN fx ON fx.currency = p.currency AND fx.mi = p.mi
    GROUP BY p.mi
)
SELECT mo.month,
       coalesce(c.revenue, 0) AS invoice_revenue,
       coalesce(c.orders, 0) AS paid_orders,
       coalesce(c.ordered, 0) AS order_amount,
       (SELECT coalesce(sum(p.invoices), 0) FROM per_currency p
         WHERE NOT EXISTS (SELECT 1 FROM fx WHERE fx.currency = p.currency)) AS unconverted_rows
FROM months mo LEFT JOIN converted c ON c.mi = mo.mi
ORDER BY mo.month
