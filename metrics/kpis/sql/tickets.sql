-- Tickets per month in the tenant's timezone: opened (by opened_at), first answered
-- (by first_response_at) and resolved (by resolved_at), with the summed durations in
-- seconds for the averages.
WITH /*common*/,
local AS (
    SELECT (t.opened_at AT TIME ZONE %(tz)s) AS opened,
           (t.first_response_at AT TIME ZONE %(tz)s) AS answered,
           (t.resolved_at AT TIME ZONE %(tz)s) AS resolved,
           extract(epoch FROM t.first_response_at - t.opened_at) AS response_seconds,
           extract(epoch FROM t.resolved_at - t.opened_at) AS resolution_seconds
    FROM metrics_ticket t
),
opened AS (
    SELECT (extract(year FROM opened) * 12 + extract(month FROM opened) - 1)::int AS mi,
           count(*) AS n
    FROM local GROUP BY 1
),
answered AS (
    SELECT (extract(year FROM answered) * 12 + extract(month FROM answered) - 1)::int AS mi,
           count(*) AS n, sum(response_seconds) AS seconds
    FROM local WHERE answered IS NOT NULL GROUP BY 1
),
resolved AS (
    SELECT (extract(year FROM resolved) * 12 + extract(month FROM resolved) - 1)::int AS mi,
           count(*) AS n, sum(resolution_seconds) AS seconds
    FROM local WHERE resolved IS NOT NULL GROUP BY 1
)
SELECT mo.month,
       coalesce(o.n, 0) AS opened_tickets,
       coalesce(a.n, 0) AS answered_tickets,
       coalesce(a.seconds, 0) AS first_response_seconds,
       coalesce(r.n, 0) AS resolved_tickets,
       coalesce(r.seconds, 0) AS resolution_seconds
FROM months mo
LEFT JOIN opened o ON o.mi = mo.mi
LEFT JOIN answered a ON a.mi = mo.mi
LEFT JOIN resolved r ON r.mi = mo.mi
ORDER BY mo.month
