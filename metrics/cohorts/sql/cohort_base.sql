-- The cohorts' customers and their MRR (x 12) at month ends, as the engine counts it
-- (common.sql, customer_states.sql): a paying subscription (amount > 0) is active at
-- end(M) when it starts in M or before and its end_date (the first day no longer
-- active) falls after M; a customer's MRR is the sum of its active subscriptions' at
-- M's rate; a currency without rates is left out. So a cohort's MRR in a month is part
-- of the engine's MRR of that month, and a customer pays here exactly when the engine
-- counts it among the paying customers.
-- The months CTE runs from the first month with data to the matrix's last month, so a
-- customer's first paid month is its first over all its history: a reactivated customer
-- stays in that first cohort. Months are numbered k = 1..n (common.sql).
--
-- Set-based and event-based, as movements.sql: rather than a row per customer and month
-- (~670k in the benchmark), each customer's MRR is cut into segments [from_k, to_k) over
-- which it does not change:
--   * a customer paying in the reporting currency only (rate 1) changes only where one of
--     its subscriptions starts or ends: a running sum over those event months;
--   * a customer with money in a currency whose rate moves, month by month.
-- Customer keys are compared in byte order (COLLATE "C"): only equality and grouping
-- matter, and byte order is the cheapest to sort.
-- Sharded as movements.sql: shard s of n covers the customers whose id hashes to s mod
-- n, and every figure of a matrix is the sum of its shards' (selectors.py runs them side
-- by side on the engine's connections).
-- Followed by the caller's CTEs and SELECT (cohort_matrix.sql, cohort_customers.sql).
WITH /*common*/,
series AS (SELECT count(*)::int AS n FROM months),
-- Foreign currencies numbered 1..c, their rates as one array per currency indexed by
-- month, and all of them as one two-dimensional array by_code[code][k] (movements.sql).
rate_arrays AS (
    SELECT fx.currency, row_number() OVER (ORDER BY fx.currency COLLATE "C")::int AS code,
           array_agg(fx.rate ORDER BY mo.k) AS by_month
    FROM fx JOIN months mo USING (mi)
    WHERE fx.currency NOT IN ('', %(currency)s)
    GROUP BY fx.currency
),
rate_matrix AS (SELECT array_agg(by_month ORDER BY code) AS by_code FROM rate_arrays),
-- Paying subscriptions active at the ends of months from_k .. to_k - 1 (to_k = n + 1:
-- still active after the last month); code: the foreign currency's number, null for
-- rate-1 money. width_bucket over the months' first days (common.sql): 0 before the
-- series, n + 1 after it.
spans AS (
    SELECT s.customer, ra.code, s.native12,
           greatest(s.start_k, 1) AS from_k,
           least(coalesce(s.end_k, se.n + 1), se.n + 1) AS to_k
    FROM (SELECT customer_id COLLATE "C" AS customer, currency, native12,
                 width_bucket(start_date, ms.days) AS start_k,
                 width_bucket(end_date, ms.days) AS end_k
          FROM subscription_money CROSS JOIN month_starts ms
          WHERE amount > 0 AND abs(mod(hashtext(customer_id)::bigint, %(shards)s)) = %(shard)s
          OFFSET 0) AS s
    LEFT JOIN rate_arrays ra ON ra.currency = s.currency
    CROSS JOIN series se
    WHERE (ra.code IS NOT NULL OR s.currency IN ('', %(currency)s))
      AND greatest(s.start_k, 1) < least(coalesce(s.end_k, se.n + 1), se.n + 1)
),
foreign_customers AS (SELECT DISTINCT customer FROM spans WHERE code IS NOT NULL),
-- Rate-1 customers: the change of their MRR in each event month ...
home_changes AS (
    SELECT customer, k, sum(change12) AS change12
    FROM (SELECT customer, from_k AS k, native12 AS change12 FROM spans WHERE code IS NULL
          UNION ALL
          SELECT sp.customer, sp.to_k, -sp.native12 FROM spans sp CROSS JOIN series se
          WHERE sp.code IS NULL AND sp.to_k <= se.n) AS e
    WHERE NOT EXISTS (SELECT 1 FROM foreign_customers f WHERE f.customer = e.customer)
    GROUP BY customer, k
),
-- ... and their MRR from one event month to the next (exact numeric sums: back to 0
-- exactly when every subscription has ended).
home_segments AS (
    SELECT hc.customer, hc.k AS from_k, coalesce(lead(hc.k) OVER w, se.n + 1) AS to_k,
           sum(hc.change12) OVER w AS cmrr12
    FROM home_changes hc CROSS JOIN series se
    WINDOW w AS (PARTITION BY hc.customer ORDER BY hc.k)
),
-- Customers with money in a currency whose rate moves: their MRR month by month.
foreign_segments AS (
    SELECT sp.customer, gs.k AS from_k, gs.k + 1 AS to_k,
           sum(sp.native12 * coalesce(rm.by_code[sp.code][gs.k], 1)) AS cmrr12
    FROM spans sp
    JOIN foreign_customers USING (customer)
    CROSS JOIN rate_matrix rm
    CROSS JOIN LATERAL generate_series(sp.from_k, sp.to_k - 1) AS gs (k)
    GROUP BY sp.customer, gs.k
),
-- Every stretch of months over which a customer pays the same MRR (cmrr12 > 0).
segments AS (
    SELECT customer, from_k, to_k, cmrr12 FROM home_segments WHERE cmrr12 > 0
    UNION ALL
    SELECT customer, from_k, to_k, cmrr12 FROM foreign_segments
),
-- Each customer's cohort month (k): its first month paying at the month end
-- (first_paid_month), or the month of its sign-up date (signup_month; customers without
-- one are in no cohort, and a date outside the series is in none of its months).
members AS (
    SELECT customer, min(from_k) AS cohort_k
    FROM segments
    WHERE %(by)s = 'first_paid_month'
    GROUP BY customer
    UNION ALL
    SELECT customer_id COLLATE "C", width_bucket(signup_date, ms.days)
    FROM metrics_customer CROSS JOIN month_starts ms
    WHERE %(by)s = 'signup_month' AND signup_date IS NOT NULL
      AND abs(mod(hashtext(customer_id)::bigint, %(shards)s)) = %(shard)s
),
-- The members of the cohorts asked for, with their MRR at the end of the cohort month
-- (start12, 0 for a customer who signed up and did not pay in that month).
cohort_members AS (
    SELECT m.customer, m.cohort_k, coalesce(sg.cmrr12, 0) AS start12
    FROM members m
    JOIN months mo ON mo.k = m.cohort_k AND mo.mi BETWEEN %(from_mi)s AND %(to_mi)s
    LEFT JOIN segments sg ON sg.customer = m.customer AND sg.from_k <= m.cohort_k AND m.cohort_k < sg.to_k
)
