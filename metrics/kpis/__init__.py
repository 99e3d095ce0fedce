"""The KPI engine: every KPI of ../shared/spec/kpi-catalog.md, declared once
(``registry``), aggregated per month in PostgreSQL (``sql/``, ``figures``), turned
into values by pure formulas (``formulas``) and stored per tenant (``compute``)."""
