SELECT expense_id, date, category, amount, currency, channel, description
FROM metrics_expense
WHERE date BETWEEN %(first_day)s AND %(last_day)s AND category = ANY(%(categories)s)
ORDER BY date, id
