-- The cohort matrix (docs/cohorts.md): per cohort its size and MRR at the end of the
-- cohort month, and per later month end how many of its customers pay, their MRR and
-- their MRR capped at each one's start MRR (gross retention: no expansion). Every
-- metric of the page and API is worked out from these in Python (selectors.py).
/*cohort_base*/,
cells AS (
    SELECT c.cohort_mi, cm.mi, count(*) AS paying, sum(cm.cmrr12) AS mrr12,
           sum(least(cm.cmrr12, c.start12)) AS capped12
    FROM cohort_members c
    JOIN customer_months cm ON cm.customer_id = c.customer_id AND cm.mi >= c.cohort_mi
    GROUP BY c.cohort_mi, cm.mi
),
sizes AS (
    SELECT cohort_mi, count(*) AS size, sum(start12) AS start12
    FROM cohort_members GROUP BY cohort_mi
)
SELECT cohort.month AS cohort, s.size, s.start12, later.month AS month,
       coalesce(ce.paying, 0) AS paying, coalesce(ce.mrr12, 0) AS mrr12,
       coalesce(ce.capped12, 0) AS capped12
FROM sizes s
JOIN months cohort ON cohort.mi = s.cohort_mi
JOIN months later ON later.mi >= s.cohort_mi
LEFT JOIN cells ce ON ce.cohort_mi = s.cohort_mi AND ce.mi = later.mi
ORDER BY cohort.month, later.month
