-- Subscription figures per month (kpi-catalog.md, "Subscription KPIs").
-- Money is summed as 12 * MRR ("*12" columns): amount * quantity * {week 52, month 12,
-- quarter 4, year 1} is exact in numeric, so every movement sums exactly and
-- net new MRR equals mrr(M) - mrr(M-1) before the one division by 12 in Python.
WITH /*common*/,
subs AS (
    SELECT c.id AS customer, s.currency, s.amount > 0 AS paying,
           s.amount * s.quantity * CASE s.interval WHEN 'week' THEN 52 WHEN 'month' THEN 12
                                                   WHEN 'quarter' THEN 4 WHEN 'year' THEN 1 END
               AS native12,
           (extract(year FROM s.start_date) * 12 + extract(month FROM s.start_date) - 1)::int
               AS start_mi,
           (extract(year FROM s.end_date) * 12 + extract(month FROM s.end_date) - 1)::int
               AS end_mi
    FROM metrics_subscription s
    JOIN metrics_customer c ON c.customer_id = s.customer_id
),
bounds AS (SELECT min(mi) AS first_mi, max(mi) AS last_mi FROM months),
-- Each currency's rates as an array indexed by month, so that converting a row is an
-- array lookup rather than a join.
rates AS (
    SELECT fx.currency, array_agg(fx.rate ORDER BY fx.mi) AS by_month
    FROM fx GROUP BY fx.currency
),
-- A subscription is active on end(M) when start_date <= end(M) < end_date, that is for
-- the months start_mi <= M < end_mi (end_date is exclusive).
customer_months AS (
    SELECT s.customer, gs.mi, sum(s.native12 * r.by_month[gs.mi - b.first_mi + 1]) AS cmrr12
    FROM subs s
    JOIN rates r ON r.currency = s.currency
    CROSS JOIN bounds b,
    LATERAL generate_series(greatest(s.start_mi, b.first_mi),
                            least(coalesce(s.end_mi - 1, b.last_mi), b.last_mi)) AS gs (mi)
    WHERE s.paying
    GROUP BY s.customer, gs.mi
),
-- Only months with cmrr > 0 are rows here, so the previous row of a customer tells
-- continuing (previous month), reactivated (an earlier month) or new (none).
moves AS (
    SELECT mi, cmrr12,
           lag(mi) OVER w AS prev_mi,
           lag(cmrr12) OVER w AS prev_cmrr12,
           lead(mi) OVER w AS next_mi
    FROM customer_months
    WHERE cmrr12 > 0
    WINDOW w AS (PARTITION BY customer ORDER BY mi)
),
-- One pass: each row's kind of movement, grouped by month and kind (few groups).
kinds AS (
    SELECT mi,
           CASE WHEN prev_mi IS NULL THEN 'new'
                WHEN prev_mi < mi - 1 THEN 'reactivation'
                WHEN cmrr12 > prev_cmrr12 THEN 'expansion'
                WHEN cmrr12 < prev_cmrr12 THEN 'contraction'
                ELSE 'same' END AS kind,
           next_mi IS NULL OR next_mi > mi + 1 AS leaves,
           count(*) AS customers, sum(cmrr12) AS cmrr12, sum(prev_cmrr12) AS prev_cmrr12
    FROM moves
    GROUP BY 1, 2, 3
),
by_month AS (
    SELECT mi,
           sum(cmrr12) AS mrr12,
           sum(customers) AS customers,
           coalesce(sum(cmrr12) FILTER (WHERE kind = 'new'), 0) AS new12,
           coalesce(sum(customers) FILTER (WHERE kind = 'new'), 0) AS new_customers,
           coalesce(sum(cmrr12) FILTER (WHERE kind = 'reactivation'), 0) AS reactivation12,
           coalesce(sum(customers) FILTER (WHERE kind = 'reactivation'), 0) AS reactivated_customers,
           coalesce(sum(cmrr12 - prev_cmrr12) FILTER (WHERE kind = 'expansion'), 0) AS expansion12,
           coalesce(sum(customers) FILTER (WHERE kind = 'expansion'), 0) AS expanded_customers,
           coalesce(sum(prev_cmrr12 - cmrr12) FILTER (WHERE kind = 'contraction'), 0) AS contraction12,
           coalesce(sum(customers) FILTER (WHERE kind = 'contraction'), 0) AS contracted_customers
    FROM kinds
    GROUP BY mi
),
-- A customer with cmrr > 0 at end(M-1) and none at end(M) churned in M.
churn AS (
    SELECT mi + 1 AS mi, sum(cmrr12) AS churned12, sum(customers) AS churned_customers
    FROM kinds
    WHERE leaves
    GROUP BY mi + 1
),
starts AS (
    SELECT currency, start_mi, count(*) AS started, sum(native12) AS native12
    FROM subs GROUP BY currency, start_mi
),
-- acv: subscriptions starting in M (free ones too), at M's rate.
started AS (
    SELECT st.start_mi AS mi, sum(st.started) AS started, sum(st.native12 * fx.rate) AS started12
    FROM starts st JOIN fx ON fx.currency = st.currency AND fx.mi = st.start_mi
    GROUP BY st.start_mi
),
-- committed_mrr: subscriptions starting after end(M), at M's rate ...
scheduled AS (
    SELECT mo.mi, sum(st.native12 * fx.rate) AS scheduled12
    FROM months mo
    JOIN starts st ON st.start_mi > mo.mi
    JOIN fx ON fx.currency = st.currency AND fx.mi = mo.mi
    GROUP BY mo.mi
),
-- ... less those active on end(M) that have an end_date.
ending AS (
    SELECT mo.mi, sum(e.native12 * fx.rate) AS ending12
    FROM (SELECT currency, start_mi, end_mi, sum(native12) AS native12
            FROM subs WHERE end_mi IS NOT NULL AND paying
           GROUP BY currency, start_mi, end_mi) AS e
    JOIN months mo ON e.start_mi <= mo.mi AND mo.mi < e.end_mi
    JOIN fx ON fx.currency = e.currency AND fx.mi = mo.mi
    GROUP BY mo.mi
)
SELECT mo.month,
       coalesce(b.mrr12, 0) AS mrr12,
       coalesce(b.customers, 0) AS paying_customers,
       coalesce(b.new12, 0) AS new12,
       coalesce(b.new_customers, 0) AS new_subscription_customers,
       coalesce(b.reactivation12, 0) AS reactivation12,
       coalesce(b.reactivated_customers, 0) AS reactivated_count,
       coalesce(b.expansion12, 0) AS expansion12,
       coalesce(b.expanded_customers, 0) AS expanded_customers,
       coalesce(b.contraction12, 0) AS contraction12,
       coalesce(b.contracted_customers, 0) AS contracted_customers,
       coalesce(ch.churned12, 0) AS churned12,
       coalesce(ch.churned_customers, 0) AS churned_count,
       coalesce(sd.started, 0) AS subscriptions_started,
       coalesce(sd.started12, 0) AS started12,
       coalesce(sc.scheduled12, 0) AS scheduled12,
       coalesce(en.ending12, 0) AS ending12,
       (SELECT count(*) FROM subs s
         WHERE NOT EXISTS (SELECT 1 FROM fx WHERE fx.currency = s.currency)) AS unconverted_rows
FROM months mo
LEFT JOIN by_month b ON b.mi = mo.mi
LEFT JOIN churn ch ON ch.mi = mo.mi
LEFT JOIN started sd ON sd.mi = mo.mi
LEFT JOIN scheduled sc ON sc.mi = mo.mi
LEFT JOIN ending en ON en.mi = mo.mi
ORDER BY mo.month
