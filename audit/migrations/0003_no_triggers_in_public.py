import audit.trigger_operations
from django.db import migrations


class Migration(migrations.Migration):
    """Databases migrated with 0001/0002 before their operations were confined to the
    tenant schemas have the user triggers in public too; this removes them there."""

    dependencies = [
        ("audit", "0002_event_time_of_the_statement"),
    ]

    operations = [
        audit.trigger_operations.DropPublicUserTriggers(),
    ]
