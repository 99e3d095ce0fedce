"""What the KPI engine announces. The engine reads no other package: whoever acts on
fresh KPIs (the goals) connects a receiver here."""

from django.dispatch import Signal

# Sent by the recompute task, in the tenant's schema, after a recompute succeeded.
# Arguments: schema_name, summary (the recompute's summary as a dict).
kpis_recomputed = Signal()
