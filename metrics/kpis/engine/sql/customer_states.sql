-- One month's customers for breakdowns and drill-downs: each customer's MRR (x 12) at
-- end(M) and end(M-1) per plan and in all, and the movement that makes. The months
-- CTE runs from M-1 (first) to M (last). Followed by a SELECT chosen by the caller.
WITH /*common*/,
bounds AS (SELECT min(mi) AS prev_mi, max(mi) AS mi FROM months),
subs AS (
    SELECT s.customer_id, s.plan, s.currency,
           s.native12,
           (extract(year FROM s.start_date) * 12 + extract(month FROM s.start_date) - 1)::int AS start_mi,
           (extract(year FROM s.end_date) * 12 + extract(month FROM s.end_date) - 1)::int AS end_mi
    FROM subscription_money s
    WHERE s.amount > 0
),
plan_states AS (
    SELECT s.customer_id, s.plan,
           coalesce(sum(s.native12 * now_fx.rate)
                    FILTER (WHERE s.start_mi <= b.mi AND (s.end_mi IS NULL OR s.end_mi > b.mi)), 0) AS now12,
           coalesce(sum(s.native12 * prev_fx.rate)
                    FILTER (WHERE s.start_mi <= b.prev_mi AND (s.end_mi IS NULL OR s.end_mi > b.prev_mi)), 0) AS prev12,
           bool_or(s.start_mi < b.prev_mi AND (s.end_mi IS NULL OR s.end_mi > s.start_mi)) AS earlier
    FROM subs s CROSS JOIN bounds b
    JOIN fx now_fx ON now_fx.currency = s.currency AND now_fx.mi = b.mi
    JOIN fx prev_fx ON prev_fx.currency = s.currency AND prev_fx.mi = b.prev_mi
    WHERE s.start_mi <= b.mi
    GROUP BY s.customer_id, s.plan
),
customer_states AS (
    SELECT customer_id, sum(now12) AS now12, sum(prev12) AS prev12, bool_or(earlier) AS earlier
    FROM plan_states GROUP BY customer_id
),
movements AS (
    SELECT cs.*,
           CASE WHEN now12 > 0 AND prev12 = 0 THEN CASE WHEN earlier THEN 'reactivation' ELSE 'new' END
                WHEN now12 > 0 AND now12 > prev12 THEN 'expansion'
                WHEN now12 > 0 AND now12 < prev12 THEN 'contraction'
                WHEN now12 = 0 AND prev12 > 0 THEN 'churn'
                WHEN now12 > 0 THEN 'retained' END AS movement
    FROM customer_states cs
)
