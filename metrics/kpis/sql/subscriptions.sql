-- Subscription figures per month (kpi-catalog.md, "Subscription KPIs").
-- Money is summed as 12 * MRR ("*12" columns): amount * quantity * {week 52, month 12,
-- quarter 4, year 1} is exact in numeric, so every movement sums exactly and
-- net new MRR equals mrr(M) - mrr(M-1) before the one division by 12 in Python.
--
-- Event-based: a customer's MRR (cmrr) only changes in a month where one of its
-- subscriptions starts or ends (an "event month" of the customer), or, in between, when
-- the rate of a foreign currency it pays in moves. So rather than every customer-month
-- (~670k in the benchmark) the statement looks at:
--   * each customer's event months (~115k): cmrr at end(M) and end(M-1) from running
--     sums of the changes in reporting-currency money (rate 1) and in its one foreign
--     currency -> new, reactivation, expansion, contraction, churn;
--   * between two events, a customer's foreign money moves with that currency's rate:
--     summed per currency and month, expansion where the rate rose, contraction where
--     it fell;
--   * the few customers who have paid in two or more foreign currencies: month by
--     month, as cmrr at every month end (rates moving apart could go either way).
-- MRR, acv and committed MRR need no customer: they come from the subscriptions grouped
-- by currency and start and end month.
WITH /*common*/,
bounds AS (SELECT min(mi) AS first_mi, max(mi) AS last_mi FROM months),
-- Each currency's rate in every month and the month before (null in the first month,
-- where nothing is active the month before). Only foreign currencies move.
rates AS (
    SELECT currency, mi, rate,
           lag(rate) OVER (PARTITION BY currency ORDER BY mi) AS prev_rate,
           currency NOT IN ('', %(currency)s) AS moves
    FROM fx
),
currencies AS (SELECT DISTINCT currency, moves FROM rates),
-- The rates again as one array per currency indexed by month (1 = the first month),
-- so that converting a customer's foreign money is an array lookup, not a join.
rate_arrays AS (
    SELECT currency, array_agg(rate ORDER BY mi) AS by_month FROM rates GROUP BY currency
),
-- Month indexes by date_part (a double, exact for these integers): extract() returns
-- numeric, several times slower.
subs AS (
    SELECT s.customer_id AS customer, s.currency, s.amount > 0 AS paying,
           s.amount * s.quantity * CASE s.interval WHEN 'week' THEN 52 WHEN 'month' THEN 12
                                                   WHEN 'quarter' THEN 4 WHEN 'year' THEN 1 END
               AS native12,
           (date_part('year', s.start_date) * 12 + date_part('month', s.start_date) - 1)::int
               AS start_mi,
           (date_part('year', s.end_date) * 12 + date_part('month', s.end_date) - 1)::int
               AS end_mi
    FROM metrics_subscription s
),
-- A subscription is active on end(M) when start_date <= end(M) < end_date, that is for
-- the months start_mi <= M < end_mi (end_date is exclusive). Spans: the paying ones in a
-- currency with rates, active in the months from_mi .. to_mi - 1 of the series; to_mi
-- is null when the subscription is still active after the last month.
spans AS (
    SELECT s.customer, s.currency, cu.moves, s.native12,
           greatest(s.start_mi, b.first_mi) AS from_mi,
           CASE WHEN s.end_mi <= b.last_mi THEN s.end_mi END AS to_mi
    FROM subs s
    JOIN currencies cu ON cu.currency = s.currency
    CROSS JOIN bounds b
    WHERE s.paying AND s.start_mi <= b.last_mi
      AND (s.end_mi IS NULL OR s.end_mi > greatest(s.start_mi, b.first_mi))
),
-- Subscriptions grouped by currency, paying or not, start and end month (a few
-- thousand groups): what needs no customer (MRR, acv, committed MRR) reads these.
sub_groups AS (
    SELECT currency, paying, start_mi, end_mi, count(*) AS subscriptions, sum(native12) AS native12
    FROM subs GROUP BY currency, paying, start_mi, end_mi
),
-- The change of a customer's 12 x MRR in each of its event months: in rate-1 money
-- and in foreign money (native amounts; the lowest and highest foreign currency).
changes AS (
    SELECT customer, mi,
           coalesce(sum(change12) FILTER (WHERE NOT moves), 0) AS home12,
           coalesce(sum(change12) FILTER (WHERE moves), 0) AS foreign12,
           min(currency COLLATE "C") FILTER (WHERE moves) AS foreign_low,
           max(currency COLLATE "C") FILTER (WHERE moves) AS foreign_high
    FROM (SELECT customer, from_mi AS mi, native12 AS change12, currency, moves FROM spans
          UNION ALL
          SELECT customer, to_mi, -native12, currency, moves FROM spans WHERE to_mi IS NOT NULL
         ) AS change
    GROUP BY customer, mi
),
-- Running sums give what the customer pays after each event, and which foreign
-- currencies it has paid in so far (the same one throughout for all but a few). One
-- sort, in byte order (COLLATE "C": the order itself does not matter, only that each
-- customer's rows come together, and byte order is the cheapest to sort).
timeline AS (
    SELECT customer, mi, home12, foreign12,
           sum(home12) OVER w AS home_after12,
           sum(foreign12) OVER w AS foreign_after12,
           min(foreign_low) OVER w AS foreign_low,
           max(foreign_high) OVER w AS currency,
           lag(mi) OVER w AS prev_event,
           lead(mi) OVER w AS next_event
    FROM changes
    WINDOW w AS (PARTITION BY customer COLLATE "C" ORDER BY mi)
),
-- Customers who have paid in two or more foreign currencies: month by month below.
several AS (SELECT DISTINCT customer FROM timeline WHERE foreign_low < currency),
-- cmrr at end(M) and end(M-1) in an event month M of a customer with one foreign
-- currency at most, and the movement that makes. cmrr12 > 0 at an earlier month end
-- <=> an earlier event (a customer's first event is a start). The rate is an array
-- lookup (index 0, before the first month, is null: nothing is active then).
event_months AS (
    SELECT t.customer, t.mi, t.prev_event, t.next_event, t.currency, t.foreign_after12,
           t.home_after12 + coalesce(t.foreign_after12 * ra.by_month[t.mi - b.first_mi + 1], 0)
               AS cmrr12,
           t.home_after12 - t.home12
               + coalesce((t.foreign_after12 - t.foreign12) * ra.by_month[t.mi - b.first_mi], 0)
               AS prev_cmrr12
    FROM timeline t
    CROSS JOIN bounds b
    LEFT JOIN rate_arrays ra ON ra.currency = t.currency
    WHERE NOT EXISTS (SELECT 1 FROM several WHERE several.customer = t.customer)
),
-- Grouped by month and kind of movement first (few groups), then spread into columns.
event_kinds AS (
    SELECT mi,
           CASE WHEN prev_cmrr12 = 0 THEN CASE WHEN prev_event IS NULL THEN 'new' ELSE 'reactivation' END
                WHEN cmrr12 = 0 THEN 'churn'
                WHEN cmrr12 > prev_cmrr12 THEN 'expansion'
                WHEN cmrr12 < prev_cmrr12 THEN 'contraction'
                ELSE 'same' END AS kind,
           count(*) AS customers, sum(cmrr12) AS cmrr12, sum(prev_cmrr12) AS prev_cmrr12
    FROM event_months
    GROUP BY 1, 2
),
event_moves AS (
    SELECT mi,
           coalesce(sum(customers) FILTER (WHERE kind IN ('new', 'reactivation')), 0)
               - coalesce(sum(customers) FILTER (WHERE kind = 'churn'), 0) AS paying_change,
           coalesce(sum(cmrr12) FILTER (WHERE kind = 'new'), 0) AS new12,
           coalesce(sum(customers) FILTER (WHERE kind = 'new'), 0) AS new_customers,
           coalesce(sum(cmrr12) FILTER (WHERE kind = 'reactivation'), 0) AS reactivation12,
           coalesce(sum(customers) FILTER (WHERE kind = 'reactivation'), 0) AS reactivated_customers,
           coalesce(sum(cmrr12 - prev_cmrr12) FILTER (WHERE kind = 'expansion'), 0) AS expansion12,
           coalesce(sum(customers) FILTER (WHERE kind = 'expansion'), 0) AS expanded_customers,
           coalesce(sum(prev_cmrr12 - cmrr12) FILTER (WHERE kind = 'contraction'), 0) AS contraction12,
           coalesce(sum(customers) FILTER (WHERE kind = 'contraction'), 0) AS contracted_customers,
           coalesce(sum(prev_cmrr12) FILTER (WHERE kind = 'churn'), 0) AS churned12,
           coalesce(sum(customers) FILTER (WHERE kind = 'churn'), 0) AS churned_customers
    FROM event_kinds
    GROUP BY mi
),
-- MRR: the spans as groups (the same clipping as spans), each counted in the months it
-- is active, at the month's rate (a currency without rates has no rows in rates).
span_groups AS (
    SELECT g.currency, greatest(g.start_mi, b.first_mi) AS from_mi,
           CASE WHEN g.end_mi <= b.last_mi THEN g.end_mi END AS to_mi, g.native12
    FROM sub_groups g
    CROSS JOIN bounds b
    WHERE g.paying AND g.start_mi <= b.last_mi
      AND (g.end_mi IS NULL OR g.end_mi > greatest(g.start_mi, b.first_mi))
),
mrr AS (
    SELECT r.mi, sum(g.native12 * r.rate) AS mrr12
    FROM span_groups g
    JOIN rates r ON r.currency = g.currency AND g.from_mi <= r.mi
                AND (g.to_mi > r.mi OR g.to_mi IS NULL)
    GROUP BY r.mi
),
-- Between a customer's events its foreign money moves with the rate: as running sums
-- per currency of that money and of those customers, changed in the month after an
-- event and undone in the next event month.
steady_changes AS (
    SELECT currency, mi + 1 AS mi, foreign_after12 AS steady12, 1 AS steady_customers
    FROM event_months WHERE foreign_after12 > 0
    UNION ALL
    SELECT currency, next_event, -foreign_after12, -1
    FROM event_months WHERE foreign_after12 > 0 AND next_event IS NOT NULL
),
per_currency AS (
    SELECT r.mi, r.rate, r.prev_rate,
           sum(coalesce(c.steady12, 0)) OVER w AS steady12,
           sum(coalesce(c.steady_customers, 0)) OVER w AS steady_customers
    FROM rates r
    LEFT JOIN (SELECT currency, mi, sum(steady12) AS steady12, sum(steady_customers) AS steady_customers
                 FROM steady_changes GROUP BY currency, mi) AS c
           ON c.currency = r.currency AND c.mi = r.mi
    WHERE r.moves
    WINDOW w AS (PARTITION BY r.currency ORDER BY r.mi)
),
currency_moves AS (
    SELECT mi,
           coalesce(sum(steady12 * (rate - prev_rate)) FILTER (WHERE rate > prev_rate), 0) AS expansion12,
           coalesce(sum(steady_customers) FILTER (WHERE rate > prev_rate), 0) AS expanded_customers,
           coalesce(sum(steady12 * (prev_rate - rate)) FILTER (WHERE rate < prev_rate), 0) AS contraction12,
           coalesce(sum(steady_customers) FILTER (WHERE rate < prev_rate), 0) AS contracted_customers
    FROM per_currency
    GROUP BY mi
),
-- Customers who have paid in two or more foreign currencies, month by month: cmrr at
-- every month end; only months with cmrr > 0 are rows, so the previous row tells continuing
-- (previous month), reactivated (an earlier month) or new (none).
several_months AS (
    SELECT sp.customer, gs.mi, sum(sp.native12 * ra.by_month[gs.mi - b.first_mi + 1]) AS cmrr12
    FROM spans sp
    JOIN several USING (customer)
    JOIN rate_arrays ra ON ra.currency = sp.currency
    CROSS JOIN bounds b
    CROSS JOIN LATERAL generate_series(sp.from_mi, coalesce(sp.to_mi - 1, b.last_mi)) AS gs (mi)
    GROUP BY sp.customer, gs.mi
),
several_kinds AS (
    SELECT mi, cmrr12,
           lag(mi) OVER w AS prev_mi,
           lag(cmrr12) OVER w AS prev_cmrr12,
           lead(mi) OVER w AS next_mi
    FROM several_months
    WINDOW w AS (PARTITION BY customer COLLATE "C" ORDER BY mi)
),
several_moves AS (
    SELECT mi, count(*) AS customers,
           coalesce(sum(cmrr12) FILTER (WHERE prev_mi IS NULL), 0) AS new12,
           count(*) FILTER (WHERE prev_mi IS NULL) AS new_customers,
           coalesce(sum(cmrr12) FILTER (WHERE prev_mi < mi - 1), 0) AS reactivation12,
           count(*) FILTER (WHERE prev_mi < mi - 1) AS reactivated_customers,
           coalesce(sum(cmrr12 - prev_cmrr12) FILTER (WHERE prev_mi = mi - 1 AND cmrr12 > prev_cmrr12), 0) AS expansion12,
           count(*) FILTER (WHERE prev_mi = mi - 1 AND cmrr12 > prev_cmrr12) AS expanded_customers,
           coalesce(sum(prev_cmrr12 - cmrr12) FILTER (WHERE prev_mi = mi - 1 AND cmrr12 < prev_cmrr12), 0) AS contraction12,
           count(*) FILTER (WHERE prev_mi = mi - 1 AND cmrr12 < prev_cmrr12) AS contracted_customers
    FROM several_kinds
    GROUP BY mi
),
-- ... and they churn in the month after their last month with cmrr > 0.
several_churn AS (
    SELECT mi + 1 AS mi, sum(cmrr12) AS churned12, count(*) AS churned_customers
    FROM several_kinds
    WHERE next_mi IS NULL OR next_mi > mi + 1
    GROUP BY mi + 1
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
       coalesce(sum(ev.paying_change) OVER (ORDER BY mo.mi), 0) + coalesce(sv.customers, 0)
           AS paying_customers,
       coalesce(ev.new12, 0) + coalesce(sv.new12, 0) AS new12,
       coalesce(ev.new_customers, 0) + coalesce(sv.new_customers, 0) AS new_subscription_customers,
       coalesce(ev.reactivation12, 0) + coalesce(sv.reactivation12, 0) AS reactivation12,
       coalesce(ev.reactivated_customers, 0) + coalesce(sv.reactivated_customers, 0)
           AS reactivated_count,
       coalesce(ev.expansion12, 0) + coalesce(cm.expansion12, 0) + coalesce(sv.expansion12, 0)
           AS expansion12,
       coalesce(ev.expanded_customers, 0) + coalesce(cm.expanded_customers, 0)
           + coalesce(sv.expanded_customers, 0) AS expanded_customers,
       coalesce(ev.contraction12, 0) + coalesce(cm.contraction12, 0) + coalesce(sv.contraction12, 0)
           AS contraction12,
       coalesce(ev.contracted_customers, 0) + coalesce(cm.contracted_customers, 0)
           + coalesce(sv.contracted_customers, 0) AS contracted_customers,
       coalesce(ev.churned12, 0) + coalesce(sc_.churned12, 0) AS churned12,
       coalesce(ev.churned_customers, 0) + coalesce(sc_.churned_customers, 0) AS churned_count,
       coalesce(sd.started, 0) AS subscriptions_started,
       coalesce(sd.started12, 0) AS started12,
       coalesce(sc.scheduled12, 0) AS scheduled12,
       coalesce(en.ending12, 0) AS ending12,
       (SELECT coalesce(sum(st.started), 0)::bigint FROM starts st
         WHERE st.currency NOT IN (SELECT currency FROM currencies)) AS unconverted_rows
FROM months mo
LEFT JOIN mrr mr ON mr.mi = mo.mi
LEFT JOIN event_moves ev ON ev.mi = mo.mi
LEFT JOIN currency_moves cm ON cm.mi = mo.mi
LEFT JOIN several_moves sv ON sv.mi = mo.mi
LEFT JOIN several_churn sc_ ON sc_.mi = mo.mi
LEFT JOIN started sd ON sd.mi = mo.mi
LEFT JOIN scheduled sc ON sc.mi = mo.mi
LEFT JOIN ending en ON en.mi = mo.mi
ORDER BY mo.month
