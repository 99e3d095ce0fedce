-- The first and last month any record falls in (kpi-catalog.md, "Periods"): dates as
-- given, datetimes in the tenant's timezone. A subscription falls in its start month
-- through the month its end_date is in (when it shows as churn). Customers' sign-up
-- dates and exchange rates alone make no months: no KPI is computed from them.
WITH responses AS (/*responses*/),
invitations AS (/*invitations*/),
-- A column's min or max alone reads its index when it has one; together with the max of
-- an unindexed column they would read the whole table.
bounds (first_day, last_day) AS (
    SELECT (SELECT min(start_date) FROM /*subscription_rows*/ AS in_window),
           greatest((SELECT max(start_date) FROM /*subscription_rows*/ AS in_window),
                    (SELECT max(end_date) FROM /*subscription_rows*/ AS in_window))
    UNION ALL SELECT min(date), max(date) FROM /*invoice_rows*/ AS in_window
    UNION ALL SELECT min(date), max(date) FROM /*expense_rows*/ AS in_window
    UNION ALL SELECT min(date), max(date) FROM /*traffic_rows*/ AS in_window
    UNION ALL SELECT (SELECT min(created_date) FROM /*lead_rows*/ AS in_window),
                     greatest((SELECT max(created_date) FROM /*lead_rows*/ AS in_window),
                              (SELECT max(converted_date) FROM /*lead_rows*/ AS in_window))
    UNION ALL SELECT min(date), max(date) FROM /*metric_value_rows*/ AS in_window
    UNION ALL SELECT (min(opened_at) AT TIME ZONE %(tz)s)::date,
                     (greatest(max(opened_at), max(first_response_at), max(resolved_at))
                      AT TIME ZONE %(tz)s)::date
              FROM /*ticket_rows*/ AS in_window
    UNION ALL SELECT (min(responded_at) AT TIME ZONE %(tz)s)::date,
                     (max(responded_at) AT TIME ZONE %(tz)s)::date FROM responses
    UNION ALL SELECT (min(sent_at) AT TIME ZONE %(tz)s)::date,
                     (max(sent_at) AT TIME ZONE %(tz)s)::date FROM invitations
)
SELECT date_trunc('month', min(first_day))::date AS first_month,
       date_trunc('month', max(last_day))::date AS last_month
FROM bounds
