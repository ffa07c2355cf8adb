"""The documented deployment works end to end: docs/deploy/nginx-dongne.conf in front of gunicorn with the
production settings (DONGNE_HTTPS, DONGNE_PROXY_SSL_HEADER), with real nginx and a self-signed certificate.

Only ports, paths and the certificate are rewritten for the test; every other line of the config is what
docs/operations.md tells a newcomer to install. Skipped where nginx or openssl is missing, unless
DONGNE_REQUIRE_NGINX=1 (CI)."""

import http.client
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HOST = "dongne.example.kr"

pytestmark = pytest.mark.skipif(
    not (shutil.which("nginx") or Path("/usr/sbin/nginx").exists()) or not shutil.which("openssl"),
    reason="nginx and openssl are needed (apt-get install nginx-light openssl)",
)
if os.environ.get("DONGNE_REQUIRE_NGINX") == "1":
    pytestmark = []  # CI installs nginx: a missing one must fail, not skip


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(port, proc, what):
    for _ in range(300):
        if proc.poll() is not None:
            raise AssertionError(f"{what} exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise AssertionError(f"{what} did not listen on {port}")


def _site_config(tmp, *, http_port, https_port, app_port):
    conf = (ROOT / "docs" / "deploy" / "nginx-dongne.conf").read_text()
    replacements = [
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("/etc/letsencrypt/live/dongne.example.kr/", f"{tmp}/tls/"),
        ("/var/lib/dongne/static/", f"{tmp}/data/static/"),
        ("/var/www/html", f"{tmp}/acme"),
    ]
    for old, new in replacements:
        assert old in conf, f"the documented config no longer has {old!r}: update this test with it"
        conf = conf.replace(old, new)
    conf = re.sub(r"^\s*listen \[::\]:.*$", "", conf, flags=re.M)  # no IPv6 on every test machine
    return conf


def _main_config(tmp, site):
    user = "user root;" if os.geteuid() == 0 else ""  # workers must read the test's private folder
    temp = "".join(f"{kind}_temp_path {tmp}/nginx/{kind};\n" for kind in ("client_body", "proxy"))
    return f"""{user}
daemon off;
worker_processes 1;
pid {tmp}/nginx/nginx.pid;
error_log {tmp}/nginx/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    {temp}
    fastcgi_temp_path {tmp}/nginx/fastcgi; uwsgi_temp_path {tmp}/nginx/uwsgi; scgi_temp_path {tmp}/nginx/scgi;
    include {site};
}}
"""


@pytest.fixture
def deployment(tmp_path):
    tmp = tmp_path
    (tmp / "nginx").mkdir()
    (tmp / "tls").mkdir()
    (tmp / "acme").mkdir()
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", f"/CN={HOST}",
         "-keyout", f"{tmp}/tls/privkey.pem", "-out", f"{tmp}/tls/fullchain.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    skip = ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DONGNE_") and k not in skip}
    env.update(
        DONGNE_DATA_DIR=str(tmp / "data"),
        DJANGO_SETTINGS_MODULE="dongne.config.settings",
        DONGNE_HTTPS="true",
        DONGNE_PROXY_SSL_HEADER="true",
        DONGNE_SECRET_KEY="a-long-random-production-key-" + "k3Y" * 20,
        DONGNE_ALLOWED_HOSTS=HOST,
        PYTHONPATH=str(ROOT / "src"),
    )
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
        )
    app_port, http_port, https_port = _free_port(), _free_port(), _free_port()
    log = open(tmp / "gunicorn.log", "w")
    app = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "dongne.config.wsgi:application", "--bind", f"127.0.0.1:{app_port}",
         "--workers", "1"],
        cwd=tmp, env=env, stdout=log, stderr=log, start_new_session=True,
    )  # fmt: skip
    site = tmp / "nginx" / "dongne.conf"
    site.write_text(_site_config(tmp, http_port=http_port, https_port=https_port, app_port=app_port))
    main = tmp / "nginx" / "nginx.conf"
    main.write_text(_main_config(tmp, site))
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    checked = subprocess.run(
        [nginx, "-t", "-p", str(tmp / "nginx"), "-c", str(main)], capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stderr
    proxy = subprocess.Popen(
        [nginx, "-p", str(tmp / "nginx"), "-c", str(main)], stderr=subprocess.PIPE, start_new_session=True
    )
    try:
        _wait(app_port, app, "gunicorn")
        _wait(https_port, proxy, "nginx")
        yield {"http": http_port, "https": https_port}
    finally:
        for proc in (proxy, app):
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        log.close()


def _get(port, path, *, tls=True, method="GET"):
    if tls:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # the test's own self-signed certificate
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
    else:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, headers={"Host": HOST})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response, body


def test_the_documented_nginx_config_serves_the_platform_over_https(deployment):
    # plain HTTP is sent to HTTPS by nginx
    response, _ = _get(deployment["http"], "/network/?q=x", tls=False)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/network/?q=x"

    # through TLS, Django sees a secure request (X-Forwarded-Proto trusted): no redirect loop, HSTS and CSP set
    response, body = _get(deployment["https"], "/health")
    assert response.status == 200, body
    assert b'"ok"' in body or b"ok" in body
    assert "max-age=" in response.getheader("Strict-Transport-Security", "")
    assert "script-src 'self'" in response.getheader("Content-Security-Policy", "")

    # a page with a form: the CSRF cookie is Secure
    response, body = _get(deployment["https"], "/accounts/login/")
    assert response.status == 200
    cookies = [v for k, v in response.getheaders() if k.lower() == "set-cookie"]
    assert any(c.startswith("csrftoken=") and "Secure" in c for c in cookies), cookies

    # static files come from the collected folder through nginx, with nosniff and no app headers
    response, body = _get(deployment["https"], "/static/dongne/dongne.js")
    assert response.status == 200 and body
    assert response.getheader("X-Content-Type-Options") == "nosniff"
    assert response.getheader("Content-Security-Policy") is None  # not Django's answer

    # uploaded files are never served by the proxy
    response, _ = _get(deployment["https"], "/media/uploads/anything.html")
    assert response.status == 404
