-- The same by subscription plan: a customer on two plans counts under both, and a
-- customer's churn under the plans they had at the end of the previous month.
/*customer_states*/
SELECT p.plan,
       sum(p.now12), count(*) FILTER (WHERE p.now12 > 0),
       count(*) FILTER (WHERE p.prev12 > 0), count(*) FILTER (WHERE p.prev12 > 0 AND m.now12 = 0)
FROM plan_states p JOIN movements m ON m.customer_id = p.customer_id
GROUP BY p.plan
ORDER BY p.plan
