-- A month's visits and conversions per traffic channel; conversions count only on the
-- days that report them, and so do the visits they are divided by.
SELECT channel, sum(visits), sum(conversions), sum(visits) FILTER (WHERE conversions IS NOT NULL)
FROM metrics_traffic
WHERE date >= %(first_day)s AND date <= %(last_day)s
GROUP BY channel
ORDER BY channel
