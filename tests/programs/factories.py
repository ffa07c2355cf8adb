"""Programs made through the services, with sessions relative to now so that windows and
feedback rules behave the same whenever the tests run."""

import datetime as dt
import itertools

from django.utils import timezone

from dongne.programs import services

_serial = itertools.count(1)


def at(days=0, hours=0):
    base = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    return base + dt.timedelta(days=days, hours=hours)


def make_program(actor, *, sessions=1, start_days=7, capacity=30, publish=True, **data):
    data.setdefault("kind", "course" if sessions > 1 else "seminar")
    data.setdefault("title", f"테스트 프로그램 {next(_serial)}")
    data.setdefault("summary", "춘천 ICT 기업을 위한 교육")
    data["capacity"] = capacity
    if publish:
        data["status"] = "published"
    session_data = [
        {
            "title": f"{n + 1}회차",
            "starts_at": at(days=start_days + 7 * n, hours=14),
            "ends_at": at(days=start_days + 7 * n, hours=17),
            "place": "춘천 ICT 벤처센터 3층 세미나실",
            "speakers": "김강사",
        }
        for n in range(sessions)
    ]
    return services.create_program(actor=actor, data=data, sessions=session_data)
