SELECT lead_id, created_date, channel, qualified, converted_date, customer_id
FROM metrics_lead
WHERE created_date BETWEEN %(first_day)s AND %(last_day)s AND qualified
ORDER BY created_date, lead_id
