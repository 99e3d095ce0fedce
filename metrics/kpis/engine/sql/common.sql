-- Shared by every family: the month series and the exchange rate of each month.
-- Months are keyed by an integer index (year * 12 + month - 1) so the heavy joins and
-- window functions compare integers, not dates.
-- fx: the rate of the latest imported month at or before each month (carried forward);
-- a month before a currency's first rate uses that first rate. The reporting currency
-- and rows without a currency have rate 1. A currency without any rate has no row, so
-- amounts in it are left out (compute.py reports it as a warning).
months AS (
    SELECT (extract(year FROM m) * 12 + extract(month FROM m) - 1)::int AS mi, m::date AS month,
           row_number() OVER (ORDER BY m) AS k
    FROM generate_series(%(first)s::date, %(last)s::date, interval '1 month') AS m
),
-- The first days of the series' months and of the one after, and the instants they
-- start at in the tenant's timezone: width_bucket(date, days) and width_bucket(datetime,
-- instants) are k for the series' k-th month, 0 before it, and past it after. A binary
-- search, cheaper per row than working out a date's month (date_part) and several
-- times cheaper than converting a datetime to local time.
month_starts AS (
    SELECT array_agg(m::date ORDER BY m) AS days,
           array_agg(m AT TIME ZONE %(tz)s ORDER BY m) AS instants
    FROM generate_series(%(first)s::timestamp, %(after_last)s::timestamp, interval '1 month') AS m
),
fx AS (
    SELECT c.currency, mo.mi,
           coalesce(
               (SELECT r.rate FROM /*fx_rate_rows*/ r
                 WHERE r.currency = c.currency AND r.month <= mo.month
                 ORDER BY r.month DESC LIMIT 1),
               (SELECT r.rate FROM /*fx_rate_rows*/ r
                 WHERE r.currency = c.currency ORDER BY r.month LIMIT 1)) AS rate
    FROM (SELECT DISTINCT currency FROM /*fx_rate_rows*/ AS in_window
           WHERE currency NOT IN ('', %(currency)s)) AS c
    CROSS JOIN months mo
    UNION ALL
    SELECT v.currency, mo.mi, 1::numeric
    FROM (VALUES (''), (%(currency)s)) AS v (currency) CROSS JOIN months mo
),
-- Each subscription's 12 x MRR in its own currency (native12): amount * quantity *
-- {week 52, month 12, quarter 4, year 1}, exact in numeric, so every sum of it is
-- exact too and MRR is divided by 12 once, in Python (quantity x factor in integers
-- first: one numeric multiplication per row).
subscription_money AS (
    SELECT s.*,
           s.amount * (s.quantity::bigint * CASE s.interval WHEN 'week' THEN 52 WHEN 'month' THEN 12
                                                            WHEN 'quarter' THEN 4 WHEN 'year' THEN 1 END)
               AS native12
    FROM /*subscription_rows*/ s
)
