-- Subscription figures per month that need no customer (kpi-catalog.md, "Subscription
-- KPIs"): MRR, acv and committed MRR, from the subscriptions grouped by currency and
-- start and end month (a few thousand groups). The customers' movements are
-- movements.sql.
-- Money is summed as 12 * MRR ("*12" columns: subscription_money in common.sql), so MRR
-- and every movement (movements.sql) sum exactly and net new MRR equals
-- mrr(M) - mrr(M-1) before the one division by 12 in Python.
WITH /*common*/,
bounds AS (SELECT min(mi) AS first_mi, max(mi) AS last_mi FROM months),
-- Months by bucket (common.sql), as month indexes: every date before the series counts
-- as the month before it and every date after as the month after, which keeps their
-- order against the series' months, all that matters here.
subs AS (
    SELECT s.currency, s.amount > 0 AS paying,
           s.native12,
           b.first_mi - 1 + width_bucket(s.start_date, ms.days) AS start_mi,
           b.first_mi - 1 + width_bucket(s.end_date, ms.days) AS end_mi
    FROM subscription_money s CROSS JOIN month_starts ms CROSS JOIN bounds b
),
-- Subscriptions grouped by currency, paying or not, start and end month (a few
-- thousand groups): what needs no customer (MRR, acv, committed MRR) reads these.
sub_groups AS (
    SELECT currency, paying, start_mi, end_mi, count(*) AS subscriptions, sum(native12) AS native12
    FROM subs GROUP BY currency, paying, start_mi, end_mi
),
-- MRR: the paying groups clipped to the series, active in the months from_mi .. to_mi - 1
-- (end_date is exclusive; to_mi is null when still active after the last month), each
-- counted in those months at the month's rate (a currency without rates has no rows in
-- fx, so it is left out).
span_groups AS (
    SELECT g.currency, greatest(g.start_mi, b.first_mi) AS from_mi,
           CASE WHEN g.end_mi <= b.last_mi THEN g.end_mi END AS to_mi, g.native12
    FROM sub_groups g
    CROSS JOIN bounds b
    WHERE g.paying AND g.start_mi <= b.last_mi
      AND (g.end_mi IS NULL OR g.end_mi > greatest(g.start_mi, b.first_mi))
),
mrr AS (
    SELECT fx.mi, sum(g.native12 * fx.rate) AS mrr12
    FROM span_groups g
    JOIN fx ON fx.currency = g.currency AND g.from_mi <= fx.mi
           AND (g.to_mi > fx.mi OR g.to_mi IS NULL)
    GROUP BY fx.mi
),
starts AS (
    SELECT currency, start_mi, sum(subscriptions) AS started, sum(native12) AS native12
    FROM sub_groups GROUP BY currency, start_mi
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
    FROM sub_groups e
    JOIN months mo ON e.paying AND e.start_mi <= mo.mi AND mo.mi < e.end_mi
    JOIN fx ON fx.currency = e.currency AND fx.mi = mo.mi
    GROUP BY mo.mi
)
SELECT mo.month,
       coalesce(mr.mrr12, 0) AS mrr12,
       coalesce(sd.started, 0) AS subscriptions_started,
       coalesce(sd.started12, 0) AS started12,
       coalesce(sc.scheduled12, 0) AS scheduled12,
       coalesce(en.ending12, 0) AS ending12,
       (SELECT coalesce(sum(st.started), 0)::bigint FROM starts st
         WHERE st.currency NOT IN (SELECT currency FROM fx)) AS unconverted_rows
FROM months mo
LEFT JOIN mrr mr ON mr.mi = mo.mi
LEFT JOIN started sd ON sd.mi = mo.mi
LEFT JOIN scheduled sc ON sc.mi = mo.mi
LEFT JOIN ending en ON en.mi = mo.mi
ORDER BY mo.month
