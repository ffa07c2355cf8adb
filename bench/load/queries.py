"""Database queries per page of the load mix, counted in-process with Django's test client on the prepared data
(run by bench.load.run before the load; ``python -m bench.load.queries <state.json>`` by hand)."""

import json
import os
import sys

import django


def main(state_path):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.load.settings")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    state = json.load(open(state_path))
    slug = state["slug"]
    client = Client(HTTP_HOST="127.0.0.1")
    pages = [
        ("ceiling (minimal view)", "get", "/bench/ceiling/"),
        ("directory page ?q=", "get", "/network/?q=관광"),
        ("directory page (all)", "get", "/network/"),
        ("directory API ?q=", "get", "/api/v1/network/organisations?q=데이터"),
        ("organisation page", "get", f"/network/organisations/{state['organisation']}/"),
        ("dataset page (preview)", "get", f"/data/{slug}/"),
        ("catalog page", "get", "/data/"),
        ("rows API", "get", f"/api/v1/datahub/datasets/{slug}/rows?limit=50"),
        ("insights dashboard", "get", "/insights/"),
    ]
    print(f"{'page':26} {'status':>6} {'queries':>8}")
    for name, method, path in pages:
        client.get(path)  # warm caches so the count is the steady state
        with CaptureQueriesContext(connection) as ctx:
            status = getattr(client, method)(path).status_code
        print(f"{name:26} {status:6d} {len(ctx.captured_queries):8d}")


if __name__ == "__main__":
    main(sys.argv[1])
