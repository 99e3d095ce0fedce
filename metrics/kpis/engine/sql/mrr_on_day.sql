-- MRR at the end of one day (issue 18, item 4): the month-end rule of subscriptions.sql
-- with the day as the cut-off. A subscription counts when it started on or before the
-- day and has not ended by then (end_date is exclusive), at the day's month's rate, so
-- on the last day of a month this is the stored MRR of that month. The months CTE is
-- that one month (first = last). One row: 12 x MRR and the paying customers.
WITH /*common*/
SELECT coalesce(sum(s.native12 * fx.rate), 0) AS mrr12,
       count(DISTINCT s.customer_id) FILTER (WHERE s.native12 > 0) AS customers,
       count(*) FILTER (WHERE s.currency NOT IN (SELECT currency FROM fx)) AS unconverted_rows
FROM subscription_money s
LEFT JOIN fx ON fx.currency = s.currency AND fx.mi = (SELECT mi FROM months)
WHERE s.amount > 0 AND s.start_date <= %(day)s AND (s.end_date IS NULL OR s.end_date > %(day)s)
