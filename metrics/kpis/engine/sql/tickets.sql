-- Tickets per month in the tenant's timezone: opened (by opened_at), first answered
-- (by first_response_at) and resolved (by resolved_at), with the summed durations in
-- seconds for the averages.
-- A datetime's month is its bucket among the months' starting instants (common.sql).
-- One pass over the tickets, grouped by the three months at once (a few hundred
-- combinations), then summed three ways.
WITH /*common*/,
by_months AS (
    SELECT width_bucket(t.opened_at, s.instants) AS opened,
           width_bucket(t.first_response_at, s.instants) AS answered,
           width_bucket(t.resolved_at, s.instants) AS resolved,
           count(*) AS n,
           sum(extract(epoch FROM t.first_response_at - t.opened_at)) AS response_seconds,
           sum(extract(epoch FROM t.resolved_at - t.opened_at)) AS resolution_seconds
    FROM /*ticket_rows*/ t CROSS JOIN month_starts s
    GROUP BY 1, 2, 3
),
-- Counts stay bigint (a sum of counts would be numeric).
opened AS (SELECT opened AS k, sum(n)::bigint AS n FROM by_months GROUP BY 1),
answered AS (
    SELECT answered AS k, sum(n)::bigint AS n, sum(response_seconds) AS seconds
    FROM by_months WHERE answered IS NOT NULL GROUP BY 1
),
resolved AS (
    SELECT resolved AS k, sum(n)::bigint AS n, sum(resolution_seconds) AS seconds
    FROM by_months WHERE resolved IS NOT NULL GROUP BY 1
)
SELECT mo.month,
       coalesce(o.n, 0) AS opened_tickets,
       coalesce(a.n, 0) AS answered_tickets,
       coalesce(a.seconds, 0) AS first_response_seconds,
       coalesce(r.n, 0) AS resolved_tickets,
       coalesce(r.seconds, 0) AS resolution_seconds
FROM months mo
LEFT JOIN opened o ON o.k = mo.k
LEFT JOIN answered a ON a.k = mo.k
LEFT JOIN resolved r ON r.k = mo.k
ORDER BY mo.month
