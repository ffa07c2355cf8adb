"""The load mix: what each simulated client asks for, by weight (bench/load/locustfile.py drives it).

``endpoints(state)`` → [(name, weight, make_request)], where make_request(n) gives the n-th request of that
endpoint as (method, path, json body or None, API token or None). Registrations and bookings take a fresh
person and slot for each n, so they are real writes, not repeats."""

import datetime as dt
from urllib.parse import quote

CEILING = "ceiling (minimal view)"


def endpoints(state):
    slug = state["slug"]
    tokens = state["tokens"]
    day0 = state["first_day"]

    def booking(n):
        # 47 half-hour slots a day: the load room is bookable 00:00–23:30 (bench.load.scale)
        day, slot = divmod(n, 47)
        start = dt.datetime.fromisoformat(day0) + dt.timedelta(days=day, minutes=30 * slot)
        body = {
            "facility_id": state["facility"],
            "start": start.isoformat() + "+09:00",
            "end": (start + dt.timedelta(minutes=30)).isoformat() + "+09:00",
            "title": f"load {n}",
        }
        return "POST", "/api/v1/spaces/bookings", body, tokens[n % len(tokens)]

    query = {
        "group_by": ["읍면동"],
        "aggregates": [{"func": "sum", "column": "방문객수", "alias": "visitors"}],
        "limit": 50,
    }
    return [
        (CEILING, 10, lambda n: ("GET", "/bench/ceiling/", None, None)),
        ("directory page ?q=", 8, lambda n: ("GET", "/network/?q=" + quote("관광"), None, None)),
        (
            "directory API ?q=",
            8,
            lambda n: ("GET", "/api/v1/network/organisations?q=" + quote("데이터"), None, None),
        ),
        (
            "organisation page",
            6,
            lambda n: ("GET", f"/network/organisations/{state['organisation']}/", None, None),
        ),
        ("dataset page (preview)", 6, lambda n: ("GET", f"/data/{slug}/", None, None)),
        (
            "rows API",
            6,
            lambda n: (
                "GET",
                f"/api/v1/datahub/datasets/{slug}/rows?limit=50&offset={n % 1000 * 50}",
                None,
                None,
            ),
        ),
        (
            "query API (group by)",
            4,
            lambda n: ("POST", f"/api/v1/datahub/datasets/{slug}/query", query, None),
        ),
        ("insights dashboard", 4, lambda n: ("GET", "/insights/", None, None)),
        (
            "program registration",
            2,
            lambda n: (
                "POST",
                f"/api/v1/programs/programs/{state['program']}/register",
                {},
                tokens[n % len(tokens)],
            ),
        ),
        ("booking", 2, booking),
    ]
