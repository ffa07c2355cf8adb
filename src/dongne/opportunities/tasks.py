"""Background jobs (huey). Tasks take ids, never model instances (ARCHITECTURE.md rule 8)."""

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task(retries=1, retry_delay=300)
def pull_feed(feed):
    from .services import pull_feed as pull

    pull(actor=None, feed=feed)


@db_periodic_task(crontab(minute="30", hour="6"))
def pull_feeds():
    """Daily 06:30: import new calls from every feed that has a key configured."""
    from .choices import Source

    for feed, key in ((Source.BIZINFO, settings.BIZINFO_KEY), (Source.KSTARTUP, settings.KSTARTUP_KEY)):
        if key:
            pull_feed(feed)


@db_periodic_task(crontab(minute="0", hour="8"))
def send_notifications():
    """Daily 08:00: D-7 and D-1 deadline reminders; on Mondays also the digest of new matches."""
    from django.utils import timezone

    from .services import send_deadline_reminders, send_match_digests

    send_deadline_reminders(actor=None)
    if timezone.localdate().weekday() == 0:
        send_match_digests(actor=None)
