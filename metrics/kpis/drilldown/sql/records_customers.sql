-- One month's customers in the movements %(movements)s (customer_states.sql: new,
-- reactivation, expansion, contraction, churn, retained), with their MRR at the end of
-- the month before and of this one.
/*customer_states*/
SELECT m.customer_id, c.name, c.segment, c.country, c.channel, m.movement,
       round(m.prev12 / 12, 4) AS previous_mrr, round(m.now12 / 12, 4) AS mrr,
       round((m.now12 - m.prev12) / 12, 4) AS change
FROM movements m LEFT JOIN metrics_customer c ON c.customer_id = m.customer_id
WHERE m.movement = ANY(%(movements)s)
ORDER BY m.customer_id
