"""Background jobs of spaces (huey). Tasks take ids, never model instances."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from . import services


@db_periodic_task(crontab(hour="8", minute="0"))
def lease_end_notices():
    """Every morning: e-mail tenants whose lease ends within DONGNE_SPACES_NOTICE_DAYS (once per term)."""
    return [lease.pk for lease in services.send_lease_end_notices(actor=None)]
