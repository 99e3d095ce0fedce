-- The month's marketing and sales expenses per channel, converted at the month's rate.
WITH /*common*/,
channel_spend AS (
    SELECT e.channel, e.category, sum(e.amount * fx.rate) AS amount
    FROM metrics_expense e
    JOIN months mo ON e.date >= mo.month AND e.date < mo.month + interval '1 month'
    JOIN fx ON fx.currency = e.currency AND fx.mi = mo.mi
    WHERE mo.month = %(last)s AND e.category IN ('marketing', 'sales')
    GROUP BY 1, 2
)
SELECT channel, category, amount FROM channel_spend
