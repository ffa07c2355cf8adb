"""Limits on how often something may happen per key (an e-mail address, an IP address), shared by every worker.

Windows are fixed slices of ``period`` seconds; a limit looks at the current and the previous slice, so a burst
across a boundary still counts (at most 2 × period of memory). Increments are one UPDATE, or an INSERT guarded
by the unique constraint, so concurrent requests never lose a count.
"""

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from .models import RateCounter


def _window(now, period):
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % period, tz=dt.UTC)


def count(key: str, period: int, *, now=None) -> int:
    """Events recorded for ``key`` in the current and the previous window of ``period`` seconds."""
    window = _window(now or timezone.now(), period)
    since = window - dt.timedelta(seconds=period)
    return RateCounter.objects.filter(key=key, window__gte=since).aggregate(n=Sum("count"))["n"] or 0


def hit(key: str, period: int, *, now=None) -> int:
    """Record one event for ``key``; returns the count as :func:`count` sees it afterwards."""
    now = now or timezone.now()
    window = _window(now, period)
    counter = RateCounter.objects.filter(key=key, window=window)
    with transaction.atomic():
        if not counter.update(count=F("count") + 1):
            try:
                with transaction.atomic():
                    RateCounter.objects.create(key=key, window=window, count=1)
                # A new window: forget this key's windows that no longer count.
                RateCounter.objects.filter(key=key, window__lt=window - dt.timedelta(seconds=period)).delete()
            except IntegrityError:
                counter.update(count=F("count") + 1)
    return count(key, period, now=now)


def clear(key: str) -> None:
    """Forget ``key``'s events (e.g. failed logins after a successful one)."""
    RateCounter.objects.filter(key=key).delete()


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, or the first X-Forwarded-For hop when a trusted proxy sets it
    (DONGNE_PROXY_SSL_HEADER says a proxy is in front)."""
    from django.conf import settings

    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded and getattr(settings, "SECURE_PROXY_SSL_HEADER", None):
        return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR", "")
