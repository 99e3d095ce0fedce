-- Every source of NPS/CSAT answers as (survey_type, score, responded_at): imported
-- survey_responses rows, each as given, and KPI Hub's own surveys (one per recipient,
-- the latest: surveys/kpi_sources.py). A further source is one more UNION ALL here.
SELECT survey_type, score, responded_at FROM /*survey_response_rows*/ AS in_window
UNION ALL /*survey_answers*/
