"""What the KPI engine reads from surveys, and the one event it listens to.

The engine (metrics/kpis/engine) splices these statements into its own SQL, so they
are plain SELECTs over this app's tables, without parameters, in the tenant's schema:

- ``SCORED_ANSWERS``: ``(survey_type, score, responded_at)``, the answers that count in
  ``nps`` and ``csat``: one per recipient (a changed answer replaces the earlier one and
  is dated when the score changed), comment-only answers left out.
- ``INVITATIONS``: ``(survey_type, sent_at, responded)``, one row per invitation sent
  (reminders are not new invitations) with whether the recipient answered, for
  ``survey_response_rate``: sum(responded) / count(*) over the rows sent in a month.

surveys does not know the engine: it sends ``survey_responses_changed`` and the engine's
receiver (metrics/kpis/receivers.py) queues the recompute.
"""

from __future__ import annotations

from django.dispatch import Signal

SCORED_ANSWERS = (
    "SELECT s.type AS survey_type, r.score AS score, r.responded_at AS responded_at "
    "FROM surveys_surveyresponse r JOIN surveys_survey s ON s.id = r.survey_id "
    "WHERE r.score IS NOT NULL"
)

INVITATIONS = (
    "SELECT s.type AS survey_type, i.sent_at AS sent_at, "
    "EXISTS (SELECT 1 FROM surveys_surveyresponse r WHERE r.recipient_id = i.id) AS responded "
    "FROM surveys_surveyrecipient i JOIN surveys_survey s ON s.id = i.survey_id "
    "WHERE i.status = 'sent' AND i.sent_at IS NOT NULL"
)

# Sent (after commit) with ``schema_name`` whenever an answer is recorded or changed.
survey_responses_changed = Signal()
