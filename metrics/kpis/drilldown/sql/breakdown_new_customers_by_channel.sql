-- The month's new customers per acquisition channel.
/*customer_states*/
SELECT c.channel, count(*)
FROM movements m JOIN metrics_customer c ON c.customer_id = m.customer_id
WHERE m.movement = 'new'
GROUP BY c.channel
