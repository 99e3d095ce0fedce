-- Orders: paid invoices dated in the month with an amount > 0.
SELECT invoice_id, customer_id, date, amount, currency, status
FROM metrics_invoice
WHERE status = 'paid' AND amount > 0 AND date BETWEEN %(first_day)s AND %(last_day)s
ORDER BY date, invoice_id
