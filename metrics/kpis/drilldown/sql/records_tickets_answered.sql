-- Tickets whose first_response_at falls in the month in the tenant's timezone.
SELECT ticket_id, customer_id, opened_at, first_response_at, resolved_at, channel, priority
FROM metrics_ticket
WHERE (first_response_at AT TIME ZONE %(tz)s)::date BETWEEN %(first_day)s AND %(last_day)s
ORDER BY first_response_at, ticket_id
