-- Survey invitations sent in the month (surveys/kpi_sources.py).
SELECT survey_type, sent_at, responded
FROM (/*invitations*/) AS i
WHERE (sent_at AT TIME ZONE %(tz)s)::date BETWEEN %(first_day)s AND %(last_day)s
ORDER BY sent_at
