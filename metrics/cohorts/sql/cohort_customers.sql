-- One cell's customers (the heatmap's drill-down): the members of the cohort (from_mi =
-- to_mi) who pay at the end of the month month_mi (paying true) or do not (false), with
-- their MRR at the end of the cohort month and of that month.
/*cohort_base*/
SELECT c.customer AS customer_id, cu.name, cu.segment, cu.country, cu.channel,
       round(c.start12 / 12, 4) AS start_mrr, round(coalesce(sg.cmrr12, 0) / 12, 4) AS mrr
FROM cohort_members c
JOIN months at_month ON at_month.mi = %(month_mi)s
LEFT JOIN segments sg ON sg.customer = c.customer AND sg.from_k <= at_month.k AND at_month.k < sg.to_k
LEFT JOIN metrics_customer cu ON cu.customer_id = c.customer COLLATE "C"
WHERE (sg.customer IS NOT NULL) = %(paying)s
ORDER BY c.customer
