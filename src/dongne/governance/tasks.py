"""Background jobs of governance: the daily reminder to the secretariat (terms about to end, the disclosure
deadline of 제96조의2, a missing ordinary assembly of 제28조④, the board's composition of 제34조)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from dongne.core import audit
from dongne.core.choices import Role

from . import selectors


def send_reminders(day=None):
    """E-mail the secretariat what needs attention on ``day``; return the number of messages sent."""
    day = day or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        lines = [str(w) for w in selectors.warnings(day)]
        if not lines:
            return 0
        recipients = list(
            get_user_model()
            .objects.filter(role=Role.SECRETARIAT, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if not recipients:
            return 0
        subject = _("[Dongne] Governance: %(n)s matters need attention") % {"n": len(lines)}
        body = "\n".join(f"- {line}" for line in lines) + f"\n\n{settings.SITE_URL}/governance/\n"
    send_mail(subject, body, None, recipients)
    audit.record(None, "governance.reminders.sent", None, {"day": day, "items": len(lines)})
    return len(recipients)


@db_periodic_task(crontab(hour="8", minute="0"))
def daily_reminders():
    send_reminders()


@db_periodic_task(crontab(hour="0", minute="5"))
def daily_officer_roles():
    """Terms that began or ended today change the platform roles (services.sync_officer_roles)."""
    from .services import sync_officer_roles

    sync_officer_roles()
