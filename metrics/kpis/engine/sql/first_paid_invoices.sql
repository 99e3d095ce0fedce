-- new_customers for a tenant without subscriptions: customers whose first paid
-- invoice (amount > 0, so not a refund) is dated in the month.
WITH /*common*/,
firsts AS (
    SELECT min(i.date) AS first_date
    FROM /*invoice_rows*/ i
    WHERE i.status = 'paid' AND i.amount > 0 AND i.customer_id IS NOT NULL
    GROUP BY i.customer_id
),
per_month AS (
    SELECT (extract(year FROM first_date) * 12 + extract(month FROM first_date) - 1)::int AS mi,
           count(*) AS customers
    FROM firsts GROUP BY 1
)
SELECT mo.month, coalesce(p.customers, 0) AS new_invoice_customers
FROM months mo LEFT JOIN per_month p ON p.mi = mo.mi
ORDER BY mo.month
