"""Background jobs of programs: registration e-mails and the periodic expiry of waiting-list offers."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()
def send_registration_mail(registration_id, kind):
    from .mails import send_registration_mail as send

    send(registration_id, kind)


@db_periodic_task(crontab(minute="*/5"))
def expire_offers():
    """Every five minutes: offers past their time limit pass to the next person in line."""
    from . import services

    return services.expire_offers(actor=None)
