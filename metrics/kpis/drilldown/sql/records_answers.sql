-- Scored answers of one survey type given in the month, from every source the engine
-- counts (engine/sql/responses.sql).
SELECT survey_type, score, responded_at
FROM (/*responses*/) AS a
WHERE survey_type = %(survey_type)s
  AND (responded_at AT TIME ZONE %(tz)s)::date BETWEEN %(first_day)s AND %(last_day)s
ORDER BY responded_at
