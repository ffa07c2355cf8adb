import re

import pytest

EXTERNAL = re.compile(r'(?:src|href)="(https?://[^"]+)"')


@pytest.mark.parametrize("path", ["/", "/network/", "/api/v1/docs", "/accounts/login/"])
def test_pages_load_no_asset_from_another_host(client, db, path):
    """Everything a page loads is served by us: no CDN, offline machines work."""
    html = client.get(path).content.decode()
    assets = [url for url in EXTERNAL.findall(html) if not url.startswith("http://testserver")]
    # Links in page text (homepages of organisations) are fine; scripts and styles are not.
    loaded = [url for url in assets if re.search(r"\.(js|css)(\?|$)|/npm/", url)]
    assert loaded == []
    assert '<meta charset="utf-8">' in html.lower() or path == "/api/v1/docs"
