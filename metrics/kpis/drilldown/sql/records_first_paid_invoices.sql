-- New customers of a tenant without subscriptions: those whose first paid invoice
-- (amount > 0, so not a refund) is dated in the month.
SELECT i.customer_id, min(i.date) AS first_paid_invoice
FROM metrics_invoice i
WHERE i.status = 'paid' AND i.amount > 0 AND i.customer_id IS NOT NULL
GROUP BY i.customer_id
HAVING min(i.date) BETWEEN %(first_day)s AND %(last_day)s
ORDER BY 1
