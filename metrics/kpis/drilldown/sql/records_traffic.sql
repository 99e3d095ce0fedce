SELECT date, channel, visits, unique_visitors, pageviews, bounces, conversions
FROM metrics_traffic
WHERE date BETWEEN %(first_day)s AND %(last_day)s
ORDER BY date, channel
