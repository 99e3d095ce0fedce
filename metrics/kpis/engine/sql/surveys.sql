-- NPS and CSAT answers per month in the tenant's timezone (responses.sql: every source
-- of scored answers), and survey invitations sent per month with how many were answered
-- (surveys/kpi_sources.py).
WITH /*common*/,
responses AS (/*responses*/),
-- A datetime's month is its bucket among the months' starting instants (common.sql).
per_month AS (
    SELECT width_bucket(r.responded_at, s.instants) AS k,
           count(*) FILTER (WHERE survey_type = 'nps' AND score >= 9) AS promoters,
           count(*) FILTER (WHERE survey_type = 'nps' AND score BETWEEN 7 AND 8) AS passives,
           count(*) FILTER (WHERE survey_type = 'nps' AND score <= 6) AS detractors,
           count(*) FILTER (WHERE survey_type = 'csat' AND score >= 4) AS satisfied,
           count(*) FILTER (WHERE survey_type = 'csat') AS csat_answers
    FROM responses r CROSS JOIN month_starts s
    WHERE r.score IS NOT NULL
    GROUP BY 1
),
invitations AS (/*invitations*/),
invited AS (
    SELECT width_bucket(i.sent_at, s.instants) AS k,
           count(*) AS sent, count(*) FILTER (WHERE i.responded) AS answered
    FROM invitations i CROSS JOIN month_starts s
    GROUP BY 1
)
SELECT mo.month,
       coalesce(p.promoters, 0) AS promoters,
       coalesce(p.passives, 0) AS passives,
       coalesce(p.detractors, 0) AS detractors,
       coalesce(p.satisfied, 0) AS satisfied,
       coalesce(p.csat_answers, 0) AS csat_answers,
       coalesce(i.sent, 0) AS invitations_sent,
       coalesce(i.answered, 0) AS invitations_answered
FROM months mo
LEFT JOIN per_month p ON p.k = mo.k
LEFT JOIN invited i ON i.k = mo.k
ORDER BY mo.month
