"""Reading back what the tenant imported: one selector for every kind (``browse``)
and a spreadsheet-safe CSV export (``export``), both driven by ``imports.kinds``."""
