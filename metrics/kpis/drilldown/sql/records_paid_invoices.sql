-- Paid invoices dated in the month, refunds (negative amounts) included.
SELECT invoice_id, customer_id, date, amount, currency, status
FROM metrics_invoice
WHERE status = 'paid' AND date BETWEEN %(first_day)s AND %(last_day)s
ORDER BY date, invoice_id
