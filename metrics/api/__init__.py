"""``/api/v1/imports/`` and ``/api/v1/data/{kind}/``: thin adapters over
``metrics.imports.services`` and ``metrics.data``."""
