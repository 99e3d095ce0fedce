-- The cohort matrix (docs/cohorts.md): per cohort its size and MRR at the end of the
-- cohort month, and per later month end how many of its customers pay, their MRR and
-- their MRR capped at each one's start MRR (gross retention: no expansion). Every
-- metric of the page and API is worked out from these in Python (selectors.py).
/*cohort_base*/,
-- Each segment from the cohort month on adds its customer, MRR and capped MRR from its
-- first month and takes them away at its end: changes per cohort and month, then
-- running sums below.
pieces AS (
    SELECT c.cohort_k, greatest(sg.from_k, c.cohort_k) AS k, sg.to_k, sg.cmrr12,
           least(sg.cmrr12, c.start12) AS capped12
    FROM cohort_members c
    JOIN segments sg ON sg.customer = c.customer AND sg.to_k > c.cohort_k
),
changes AS (
    SELECT cohort_k, k, sum(paying) AS paying, sum(cmrr12) AS mrr12, sum(capped12) AS capped12
    FROM (SELECT cohort_k, k, 1 AS paying, cmrr12, capped12 FROM pieces
          UNION ALL
          SELECT p.cohort_k, p.to_k, -1, -p.cmrr12, -p.capped12 FROM pieces p CROSS JOIN series se
          WHERE p.to_k <= se.n) AS d
    GROUP BY cohort_k, k
),
sizes AS (
    SELECT cohort_k, count(*) AS size, sum(start12) AS start12
    FROM cohort_members GROUP BY cohort_k
)
SELECT cohort.month AS cohort, s.size, s.start12, later.month AS month,
       coalesce(sum(ch.paying) OVER w, 0) AS paying,
       coalesce(sum(ch.mrr12) OVER w, 0) AS mrr12,
       coalesce(sum(ch.capped12) OVER w, 0) AS capped12
FROM sizes s
JOIN months cohort ON cohort.k = s.cohort_k
JOIN months later ON later.k >= s.cohort_k
LEFT JOIN changes ch ON ch.cohort_k = s.cohort_k AND ch.k = later.k
WINDOW w AS (PARTITION BY s.cohort_k ORDER BY later.k)
ORDER BY cohort.month, later.month
