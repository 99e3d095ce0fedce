SELECT subscription_id, customer_id, plan, amount, currency, interval, quantity, start_date, end_date
FROM metrics_subscription
WHERE start_date > %(last_day)s
ORDER BY subscription_id
