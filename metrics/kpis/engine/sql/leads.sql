-- Leads by the month they were created; converted = has a converted_date (whenever).
WITH /*common*/,
-- Grouped by day first (a few hundred days), the month worked out per day.
per_day AS (
    SELECT l.created_date AS day,
           count(*) AS leads,
           count(*) FILTER (WHERE l.qualified) AS qualified,
           count(l.converted_date) AS converted
    FROM /*lead_rows*/ l
    WHERE l.created_date >= %(first)s::date AND l.created_date < %(after_last)s::date
    GROUP BY 1
),
per_month AS (
    SELECT (date_part('year', day) * 12 + date_part('month', day) - 1)::int AS mi,
           sum(leads)::bigint AS leads, sum(qualified)::bigint AS qualified,
           sum(converted)::bigint AS converted
    FROM per_day
    GROUP BY 1
)
SELECT mo.month,
       coalesce(p.leads, 0) AS leads_created,
       coalesce(p.qualified, 0) AS leads_qualified,
       coalesce(p.converted, 0) AS leads_converted
FROM months mo LEFT JOIN per_month p ON p.mi = mo.mi
ORDER BY mo.month
