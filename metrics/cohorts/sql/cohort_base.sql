-- The cohorts' customers and their MRR (x 12) at the end of every month, as the engine
-- counts it (common.sql, customer_states.sql): a paying subscription (amount > 0) is
-- active at end(M) when it starts in M or before and its end_date (the first day no
-- longer active) falls after M; a customer's MRR is the sum of its active
-- subscriptions' at M's rate; a currency without rates is left out. So a cohort's MRR
-- in a month is part of the engine's MRR of that month, and a customer counts as paying
-- here exactly when the engine counts it among the paying customers.
-- The months CTE runs from the first month with data to the matrix's last month, so a
-- customer's first paid month is its first over all its history: a reactivated customer
-- stays in that first cohort.
-- Followed by the caller's CTEs and SELECT (cohort_matrix.sql, cohort_customers.sql).
WITH /*common*/,
paying_subscriptions AS (
    SELECT s.customer_id, s.currency, s.native12,
           (extract(year FROM s.start_date) * 12 + extract(month FROM s.start_date) - 1)::int AS start_mi,
           (extract(year FROM s.end_date) * 12 + extract(month FROM s.end_date) - 1)::int AS end_mi
    FROM subscription_money s
    WHERE s.amount > 0
),
-- One row per customer and month end at which it pays (cmrr12 > 0).
customer_months AS (
    SELECT s.customer_id, mo.mi, sum(s.native12 * fx.rate) AS cmrr12
    FROM paying_subscriptions s
    JOIN months mo ON mo.mi >= s.start_mi AND (s.end_mi IS NULL OR mo.mi < s.end_mi)
    JOIN fx ON fx.currency = s.currency AND fx.mi = mo.mi
    GROUP BY s.customer_id, mo.mi
),
-- Each customer's cohort: its first month paying at the month end (first_paid_month), or
-- the month of its sign-up date (signup_month; customers without one are in no cohort).
members AS (
    SELECT customer_id, min(mi) AS cohort_mi
    FROM customer_months
    WHERE %(by)s = 'first_paid_month'
    GROUP BY customer_id
    UNION ALL
    SELECT customer_id, (extract(year FROM signup_date) * 12 + extract(month FROM signup_date) - 1)::int
    FROM metrics_customer
    WHERE %(by)s = 'signup_month' AND signup_date IS NOT NULL
),
-- The members of the cohorts asked for, with their MRR at the end of the cohort month
-- (start12, 0 for a customer who signed up and did not pay in that month).
cohort_members AS (
    SELECT m.customer_id, m.cohort_mi, coalesce(cm.cmrr12, 0) AS start12
    FROM members m
    LEFT JOIN customer_months cm ON cm.customer_id = m.customer_id AND cm.mi = m.cohort_mi
    WHERE m.cohort_mi BETWEEN %(from_mi)s AND %(to_mi)s
)
