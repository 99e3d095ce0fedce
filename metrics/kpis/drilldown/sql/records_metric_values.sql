SELECT metric, date, value
FROM metrics_metricvalue
WHERE metric = %(slug)s AND date BETWEEN %(first_day)s AND %(last_day)s
ORDER BY date
