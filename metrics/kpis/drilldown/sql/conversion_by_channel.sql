-- Visitor conversion rate per traffic channel and month over a window (conversions /
-- visits x 100, counting only the days that report conversions), channels ordered by
-- their visits in the window; a row without a channel under %(none)s.
SELECT coalesce(channel, %(none)s), date_trunc('month', date)::date,
       100.0 * sum(conversions) / nullif(sum(visits) FILTER (WHERE conversions IS NOT NULL), 0),
       sum(sum(visits)) OVER (PARTITION BY coalesce(channel, %(none)s)) AS channel_visits
FROM metrics_traffic
WHERE date BETWEEN %(first_day)s AND %(last_day)s
GROUP BY 1, 2
ORDER BY channel_visits DESC, 1, 2
