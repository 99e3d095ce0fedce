-- Expenses per month and category, converted at the month's rate.
WITH /*common*/,
per_currency AS (
    SELECT (extract(year FROM e.date) * 12 + extract(month FROM e.date) - 1)::int AS mi,
           e.currency,
           count(*) AS expenses,
           sum(e.amount) FILTER (WHERE e.category = 'marketing') AS marketing,
           sum(e.amount) FILTER (WHERE e.category = 'sales') AS sales,
           sum(e.amount) FILTER (WHERE e.category = 'cogs') AS cogs,
           sum(e.amount) AS total
    FROM /*expense_rows*/ e
    WHERE e.date >= %(first)s::date AND e.date < %(after_last)s::date
    GROUP BY 1, 2
),
converted AS (
    SELECT p.mi,
           sum(coalesce(p.marketing, 0) * fx.rate) AS marketing,
           sum(coalesce(p.sales, 0) * fx.rate) AS sales,
           sum(coalesce(p.cogs, 0) * fx.rate) AS cogs,
           sum(p.total * fx.rate) AS total
    FROM per_currency p JOIN fx ON fx.currency = p.currency AND fx.mi = p.mi
    GROUP BY p.mi
)
SELECT mo.month,
       coalesce(c.marketing, 0) AS marketing_expenses,
       coalesce(c.sales, 0) AS sales_expenses,
       coalesce(c.cogs, 0) AS cogs_expenses,
       coalesce(c.total, 0) AS all_expenses,
       (SELECT coalesce(sum(p.expenses), 0) FROM per_currency p
         WHERE NOT EXISTS (SELECT 1 FROM fx WHERE fx.currency = p.currency)) AS unconverted_rows
FROM months mo LEFT JOIN converted c ON c.mi = mo.mi
ORDER BY mo.month
