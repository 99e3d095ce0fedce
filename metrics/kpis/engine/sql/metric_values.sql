-- Dated values of named metrics per month: the last one (latest date), their sum, count.
WITH /*common*/
SELECT v.metric, mo.month,
       (array_agg(v.value ORDER BY v.date DESC))[1] AS last_value,
       sum(v.value) AS total,
       count(*) AS n
FROM /*metric_value_rows*/ v
JOIN months mo ON mo.mi = (extract(year FROM v.date) * 12 + extract(month FROM v.date) - 1)::int
GROUP BY v.metric, mo.month
ORDER BY v.metric, mo.month
