-- Leads by the month they were created; converted = has a converted_date (whenever).
WITH /*common*/,
per_month AS (
    SELECT (extract(year FROM l.created_date) * 12 + extract(month FROM l.created_date) - 1)::int AS mi,
           count(*) AS leads,
           count(*) FILTER (WHERE l.qualified) AS qualified,
           count(l.converted_date) AS converted
    FROM metrics_lead l
    WHERE l.created_date >= %(first)s::date AND l.created_date < %(after_last)s::date
    GROUP BY 1
)
SELECT mo.month,
       coalesce(p.leads, 0) AS leads_created,
       coalesce(p.qualified, 0) AS leads_qualified,
       coalesce(p.converted, 0) AS leads_converted
FROM months mo LEFT JOIN per_month p ON p.mi = mo.mi
ORDER BY mo.month
