-- Daily web traffic summed per month. The optional columns are summed over the rows
-- that give them, and their visits are summed alongside, so bounce and conversion
-- rates only divide by the visits of rows that say how many bounced or converted.
WITH /*common*/,
per_month AS (
    SELECT (extract(year FROM t.date) * 12 + extract(month FROM t.date) - 1)::int AS mi,
           count(*) AS traffic_rows,
           sum(t.visits) AS visits,
           sum(t.unique_visitors) AS unique_visitors,
           count(t.unique_visitors) AS rows_with_unique_visitors,
           sum(t.pageviews) AS pageviews,
           count(t.pageviews) AS rows_with_pageviews,
           sum(t.bounces) AS bounces,
           count(t.bounces) AS rows_with_bounces,
           sum(t.visits) FILTER (WHERE t.bounces IS NOT NULL) AS visits_with_bounces,
           sum(t.conversions) AS conversions,
           count(t.conversions) AS rows_with_conversions,
           sum(t.visits) FILTER (WHERE t.conversions IS NOT NULL) AS visits_with_conversions
    FROM /*traffic_rows*/ t
    WHERE t.date >= %(first)s::date AND t.date < %(after_last)s::date
    GROUP BY 1
)
SELECT mo.month,
       coalesce(p.traffic_rows, 0) AS traffic_rows,
       coalesce(p.visits, 0) AS visits_total,
       coalesce(p.unique_visitors, 0) AS unique_visitors_total,
       coalesce(p.rows_with_unique_visitors, 0) AS rows_with_unique_visitors,
       coalesce(p.pageviews, 0) AS pageviews_total,
       coalesce(p.rows_with_pageviews, 0) AS rows_with_pageviews,
       coalesce(p.bounces, 0) AS bounces,
       coalesce(p.rows_with_bounces, 0) AS rows_with_bounces,
       coalesce(p.visits_with_bounces, 0) AS visits_with_bounces,
       coalesce(p.conversions, 0) AS conversions_total,
       coalesce(p.rows_with_conversions, 0) AS rows_with_conversions,
       coalesce(p.visits_with_conversions, 0) AS visits_with_conversions
FROM months mo LEFT JOIN per_month p ON p.mi = mo.mi
ORDER BY mo.month
