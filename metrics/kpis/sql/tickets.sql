-- Tickets per month in the tenant's timezone: opened (by opened_at), first answered
-- (by first_response_at) and resolved (by resolved_at), with the summed durations in
-- seconds for the averages.
-- One pass over the tickets, grouped by the three local months at once (a few hundred
-- combinations), then summed three ways. date_trunc keeps the month as a timestamp;
-- extract(year/month) would return numeric, several times slower per row.
WITH /*common*/,
by_months AS (
    SELECT date_trunc('month', t.opened_at AT TIME ZONE %(tz)s) AS opened,
           date_trunc('month', t.first_response_at AT TIME ZONE %(tz)s) AS answered,
           date_trunc('month', t.resolved_at AT TIME ZONE %(tz)s) AS resolved,
           count(*) AS n,
           sum(extract(epoch FROM t.first_response_at - t.opened_at)) AS response_seconds,
           sum(extract(epoch FROM t.resolved_at - t.opened_at)) AS resolution_seconds
    FROM metrics_ticket t
    GROUP BY 1, 2, 3
),
-- Counts stay bigint (a sum of counts would be numeric).
opened AS (SELECT opened AS month, sum(n)::bigint AS n FROM by_months GROUP BY 1),
answered AS (
    SELECT answered AS month, sum(n)::bigint AS n, sum(response_seconds) AS seconds
    FROM by_months WHERE answered IS NOT NULL GROUP BY 1
),
resolved AS (
    SELECT resolved AS month, sum(n)::bigint AS n, sum(resolution_seconds) AS seconds
    FROM by_months WHERE resolved IS NOT NULL GROUP BY 1
)
SELECT mo.month,
       coalesce(o.n, 0) AS opened_tickets,
       coalesce(a.n, 0) AS answered_tickets,
       coalesce(a.seconds, 0) AS first_response_seconds,
       coalesce(r.n, 0) AS resolved_tickets,
       coalesce(r.seconds, 0) AS resolution_seconds
FROM months mo
LEFT JOIN opened o ON o.month = mo.month
LEFT JOIN answered a ON a.month = mo.month
LEFT JOIN resolved r ON r.month = mo.month
ORDER BY mo.month
