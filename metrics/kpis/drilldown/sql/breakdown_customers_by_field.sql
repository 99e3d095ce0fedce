-- A month's customers grouped by their segment or country (%(by)s): 12 x MRR at the
-- end of the month, paying customers at its end and at its start, churned customers.
/*customer_states*/
SELECT CASE %(by)s WHEN 'segment' THEN c.segment WHEN 'country' THEN c.country END AS grouped_by,
       sum(m.now12), count(*) FILTER (WHERE m.now12 > 0),
       count(*) FILTER (WHERE m.prev12 > 0), count(*) FILTER (WHERE m.prev12 > 0 AND m.now12 = 0)
FROM movements m JOIN metrics_customer c ON c.customer_id = m.customer_id
GROUP BY 1
ORDER BY 1
