-- Subscriptions paying at the end of the month that have an end date after it.
SELECT subscription_id, customer_id, plan, amount, currency, interval, quantity, start_date, end_date
FROM metrics_subscription
WHERE amount > 0 AND start_date <= %(last_day)s AND end_date > %(last_day)s
ORDER BY subscription_id
