"""Data imports (data-contract.md): one declaration per kind (``kinds``), one pipeline
for every kind and format (``reading`` -> ``staging`` -> ``checking`` -> ``writing``,
assembled in ``pipeline``), business operations in ``services``, the Celery task in
``tasks``, downloadable templates in ``samples``."""
