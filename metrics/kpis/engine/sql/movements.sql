-- Customer movements per month (kpi-catalog.md, "Subscription KPIs"): paying customers,
-- new, reactivation, expansion, contraction and churn, in customers and in 12 x MRR.
-- Money is 12 x MRR ("*12" columns: subscription_money in common.sql), exact in numeric.
--
-- Event-based: a customer's MRR (cmrr) only changes in a month where one of its
-- subscriptions starts or ends (an "event month" of the customer), or, in between, when
-- the rate of a foreign currency it pays in moves. So rather than every customer-month
-- (~670k in the benchmark) the statement looks at:
--   * each customer's event months (~115k): whether it paid at end(M-1) and end(M)
--     (running count of its active subscriptions) and the change of its cmrr (the
--     month's change in reporting-currency money, rate 1, and its running foreign
--     money in its one foreign currency) -> new, reactivation, expansion, contraction,
--     churn;
--   * between two events, a customer's foreign money moves with that currency's rate:
--     summed per currency and month, expansion where the rate rose, contraction where
--     it fell;
--   * the few customers who have paid in two or more foreign currencies: month by
--     month, as cmrr at every month end (rates moving apart could go either way).
-- Customer keys are compared in byte order (COLLATE "C"): only equality and grouping
-- matter, and byte order is the cheapest to sort.
-- Customers are independent of each other, so the statement covers one of several
-- disjoint sets of them (shard s of n: a hash of the customer id mod n is s), and every
-- figure of the whole is the sum of the shards' (figures.py runs them side by side).
WITH /*common*/,
-- Months are numbered k = 1..n (common.sql), so a month's rate is by_month[k].
-- Foreign currencies (those whose rate moves) are numbered 1..c, and their rates kept as
-- one array per currency indexed by month: converting a customer's foreign money is
-- then an array lookup, not a join. by_month[0], before the first month, is null:
-- nothing is active then.
rate_arrays AS (
    SELECT fx.currency, row_number() OVER (ORDER BY fx.currency COLLATE "C")::int AS code,
           array_agg(fx.rate ORDER BY mo.k) AS by_month
    FROM fx JOIN months mo USING (mi)
    WHERE fx.currency NOT IN ('', %(currency)s)
    GROUP BY fx.currency
),
-- ... and all of them as one two-dimensional array, by_code[code][k].
rate_matrix AS (SELECT array_agg(by_month ORDER BY code) AS by_code FROM rate_arrays),
-- How many months the series has.
series AS (SELECT count(*) AS months FROM months),
-- Paying subscriptions in a currency with rates (the reporting currency and '' always
-- have one), active in the months from_k .. to_k - 1 of the series (end_date is
-- exclusive); to_k is null when still active after the last month. code: the foreign
-- currency's number, null for rate-1 money. OFFSET 0 works each subscription's months
-- out once, not once per use below.
spans AS (
    SELECT s.customer, ra.code, s.native12,
           greatest(s.start_k, 1) AS from_k,
           CASE WHEN s.end_k <= n.months THEN s.end_k END AS to_k
    FROM (SELECT customer_id COLLATE "C" AS customer, currency, native12,
                 width_bucket(start_date, ms.days) AS start_k,
                 width_bucket(end_date, ms.days) AS end_k
          FROM subscription_money CROSS JOIN month_starts ms
          WHERE amount > 0 AND abs(mod(hashtext(customer_id)::bigint, %(shards)s)) = %(shard)s
          OFFSET 0) AS s
    LEFT JOIN rate_arrays ra ON ra.currency = s.currency
    CROSS JOIN series n
    WHERE (ra.code IS NOT NULL OR s.currency IN ('', %(currency)s))
      AND s.start_k <= n.months
      AND (s.end_k IS NULL OR s.end_k > greatest(s.start_k, 1))
),
-- Customers who have paid in two or more foreign currencies: month by month below.
several AS (
    SELECT customer FROM spans WHERE code IS NOT NULL
    GROUP BY customer HAVING min(code) < max(code)
),
-- Each customer's event months: the change of its rate-1 money and of its foreign
-- money (native amounts), and of its number of active subscriptions. Foreign money is
-- null, not 0, where there is none (most customers): its running sum below then stays
-- null at no cost instead of adding numeric zeros row after row. (A UNION ALL of
-- the starts and the ends reads the spans twice, still cheaper than a row per span
-- turned into two by a LATERAL VALUES.)
changes AS (
    SELECT customer, k,
           coalesce(sum(change12) FILTER (WHERE code IS NULL), 0) AS home12,
           sum(change12) FILTER (WHERE code IS NOT NULL) AS foreign12,
           sum(step) AS step,
           max(code) AS code
    FROM (SELECT customer, from_k AS k, code, native12 AS change12, 1 AS step FROM spans
          UNION ALL
          SELECT customer, to_k, code, -native12, -1 FROM spans WHERE to_k IS NOT NULL) AS e
    WHERE NOT EXISTS (SELECT 1 FROM several WHERE several.customer = e.customer)
    GROUP BY customer, k
),
-- Running sums over each customer's events: how many subscriptions are active after
-- the event (a paying subscription has cmrr > 0, so cmrr > 0 <=> at least one), its
-- foreign money after the event and its one foreign currency; and the previous and
-- next event months.
timeline AS (
    SELECT k, home12, foreign12, step,
           sum(step) OVER w AS active,
           sum(foreign12) OVER w AS foreign_after12,
           max(code) OVER w AS code,
           lag(k) OVER w AS prev_event,
           lead(k) OVER w AS next_event
    FROM changes
    WINDOW w AS (PARTITION BY customer ORDER BY k)
),
-- With H the rate-1 money before the event and F, F' the foreign money before and after:
-- cmrr(M) = H + home12 + F' x rate(M) and cmrr(M-1) = H + F x rate(M-1). So now12 and
-- prev12 below are cmrr(M) and cmrr(M-1) less H, which is 0 unless the customer paid
-- both before and after; and when it stops paying, H = -home12.
event_months AS (
    SELECT t.k, t.prev_event, t.next_event, t.code, t.foreign_after12, t.home12,
           t.active > t.step AS was_paying, t.active > 0 AS paying,
           t.home12 + CASE WHEN coalesce(t.foreign_after12, 0) = 0 THEN 0
                           ELSE t.foreign_after12 * rm.by_code[t.code][t.k] END AS now12,
           CASE WHEN coalesce(t.foreign_after12, 0) = coalesce(t.foreign12, 0) THEN 0
                ELSE (t.foreign_after12 - coalesce(t.foreign12, 0)) * rm.by_code[t.code][t.k - 1] END AS prev12
    FROM timeline t CROSS JOIN rate_matrix rm
),
-- Grouped by month and kind of movement first (few groups), then spread into columns.
event_kinds AS (
    SELECT k, kind, count(*) AS customers, sum(amount12) AS amount12
    FROM (SELECT k,
                 CASE WHEN NOT was_paying THEN CASE WHEN prev_event IS NULL THEN 'new' ELSE 'reactivation' END
                      WHEN NOT paying THEN 'churn'
                      WHEN now12 > prev12 THEN 'expansion'
                      WHEN now12 < prev12 THEN 'contraction'
                      ELSE 'same' END AS kind,
                 CASE WHEN NOT was_paying THEN now12
                      WHEN NOT paying THEN prev12 - home12
                      ELSE abs(now12 - prev12) END AS amount12
          FROM event_months) AS kinds
    GROUP BY k, kind
),
event_moves AS (
    SELECT k,
           coalesce(sum(customers) FILTER (WHERE kind IN ('new', 'reactivation')), 0)
               - coalesce(sum(customers) FILTER (WHERE kind = 'churn'), 0) AS paying_change,
           coalesce(sum(amount12) FILTER (WHERE kind = 'new'), 0) AS new12,
           coalesce(sum(customers) FILTER (WHERE kind = 'new'), 0) AS new_customers,
           coalesce(sum(amount12) FILTER (WHERE kind = 'reactivation'), 0) AS reactivation12,
           coalesce(sum(customers) FILTER (WHERE kind = 'reactivation'), 0) AS reactivated_customers,
           coalesce(sum(amount12) FILTER (WHERE kind = 'expansion'), 0) AS expansion12,
           coalesce(sum(customers) FILTER (WHERE kind = 'expansion'), 0) AS expanded_customers,
           coalesce(sum(amount12) FILTER (WHERE kind = 'contraction'), 0) AS contraction12,
           coalesce(sum(customers) FILTER (WHERE kind = 'contraction'), 0) AS contracted_customers,
           coalesce(sum(amount12) FILTER (WHERE kind = 'churn'), 0) AS churned12,
           coalesce(sum(customers) FILTER (WHERE kind = 'churn'), 0) AS churned_customers
    FROM event_kinds
    GROUP BY k
),
-- Between a customer's events its foreign money moves with the rate: as running sums
-- per currency of that money and of those customers, changed in the month after an
-- event and undone in the next event month.
steady_changes AS (
    SELECT code, k + 1 AS k, foreign_after12 AS steady12, 1 AS steady_customers
    FROM event_months WHERE foreign_after12 > 0
    UNION ALL
    SELECT code, next_event, -foreign_after12, -1
    FROM event_months WHERE foreign_after12 > 0 AND next_event IS NOT NULL
),
rates AS (
    SELECT ra.code, mo.k, ra.by_month[mo.k] AS rate, ra.by_month[mo.k - 1] AS prev_rate
    FROM rate_arrays ra CROSS JOIN months mo
),
per_currency AS (
    SELECT r.k, r.rate, r.prev_rate,
           sum(coalesce(c.steady12, 0)) OVER w AS steady12,
           sum(coalesce(c.steady_customers, 0)) OVER w AS steady_customers
    FROM rates r
    LEFT JOIN (SELECT code, k, sum(steady12) AS steady12, sum(steady_customers) AS steady_customers
                 FROM steady_changes GROUP BY code, k) AS c
           ON c.code = r.code AND c.k = r.k
    WINDOW w AS (PARTITION BY r.code ORDER BY r.k)
),
currency_moves AS (
    SELECT k,
           coalesce(sum(steady12 * (rate - prev_rate)) FILTER (WHERE rate > prev_rate), 0) AS expansion12,
           coalesce(sum(steady_customers) FILTER (WHERE rate > prev_rate), 0) AS expanded_customers,
           coalesce(sum(steady12 * (prev_rate - rate)) FILTER (WHERE rate < prev_rate), 0) AS contraction12,
           coalesce(sum(steady_customers) FILTER (WHERE rate < prev_rate), 0) AS contracted_customers
    FROM per_currency
    GROUP BY k
),
-- Customers who have paid in two or more foreign currencies, month by month: cmrr at
-- every month end; only months with cmrr > 0 are rows, so the previous row tells continuing
-- (previous month), reactivated (an earlier month) or new (none).
several_months AS (
    SELECT sp.customer, gs.k,
           sum(sp.native12 * coalesce(ra.by_month[gs.k], 1)) AS cmrr12
    FROM spans sp
    JOIN several USING (customer)
    LEFT JOIN rate_arrays ra ON ra.code = sp.code
    CROSS JOIN series n
    CROSS JOIN LATERAL generate_series(sp.from_k, coalesce(sp.to_k - 1, n.months)) AS gs (k)
    GROUP BY sp.customer, gs.k
),
several_kinds AS (
    SELECT k, cmrr12,
           lag(k) OVER w AS prev_k,
           lag(cmrr12) OVER w AS prev_cmrr12,
           lead(k) OVER w AS next_k
    FROM several_months
    WINDOW w AS (PARTITION BY customer ORDER BY k)
),
several_moves AS (
    SELECT k, count(*) AS customers,
           coalesce(sum(cmrr12) FILTER (WHERE prev_k IS NULL), 0) AS new12,
           count(*) FILTER (WHERE prev_k IS NULL) AS new_customers,
           coalesce(sum(cmrr12) FILTER (WHERE prev_k < k - 1), 0) AS reactivation12,
           count(*) FILTER (WHERE prev_k < k - 1) AS reactivated_customers,
           coalesce(sum(cmrr12 - prev_cmrr12) FILTER (WHERE prev_k = k - 1 AND cmrr12 > prev_cmrr12), 0) AS expansion12,
           count(*) FILTER (WHERE prev_k = k - 1 AND cmrr12 > prev_cmrr12) AS expanded_customers,
           coalesce(sum(prev_cmrr12 - cmrr12) FILTER (WHERE prev_k = k - 1 AND cmrr12 < prev_cmrr12), 0) AS contraction12,
           count(*) FILTER (WHERE prev_k = k - 1 AND cmrr12 < prev_cmrr12) AS contracted_customers
    FROM several_kinds
    GROUP BY k
),
-- ... and they churn in the month after their last month with cmrr > 0.
several_churn AS (
    SELECT k + 1 AS k, sum(cmrr12) AS churned12, count(*) AS churned_customers
    FROM several_kinds
    WHERE next_k IS NULL OR next_k > k + 1
    GROUP BY k + 1
)
SELECT mo.month,
       coalesce(sum(ev.paying_change) OVER (ORDER BY mo.k), 0) + coalesce(sv.customers, 0)
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
       coalesce(ev.churned12, 0) + coalesce(sc.churned12, 0) AS churned12,
       coalesce(ev.churned_customers, 0) + coalesce(sc.churned_customers, 0) AS churned_count
FROM months mo
LEFT JOIN event_moves ev ON ev.k = mo.k
LEFT JOIN currency_moves cm ON cm.k = mo.k
LEFT JOIN several_moves sv ON sv.k = mo.k
LEFT JOIN several_churn sc ON sc.k = mo.k
ORDER BY mo.month
