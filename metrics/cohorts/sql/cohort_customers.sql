-- One cell's customers (the heatmap's drill-down): the members of the cohort
-- %(from_mi)s (= %(to_mi)s) who pay at the end of month %(month_mi)s (status 'paying') or do not
-- ('gone'), with their MRR at the end of the cohort month and of that month.
/*cohort_base*/
SELECT c.customer_id, cu.name, cu.segment, cu.country, cu.channel,
       round(c.start12 / 12, 4) AS start_mrr, round(coalesce(cm.cmrr12, 0) / 12, 4) AS mrr
FROM cohort_members c
LEFT JOIN customer_months cm ON cm.customer_id = c.customer_id AND cm.mi = %(month_mi)s
LEFT JOIN metrics_customer cu ON cu.customer_id = c.customer_id
WHERE (cm.customer_id IS NOT NULL) = %(paying)s
ORDER BY c.customer_id
