"""Production settings pass Django's deployment checks; the development defaults do not pass for a deployment."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def check_deploy(tmp_path, **env):
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; a deployment would not)
    skip = ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    environ = {k: v for k, v in os.environ.items() if not k.startswith("DONGNE_") and k not in skip}
    environ.update(DONGNE_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="dongne.config.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = check_deploy(
        tmp_path,
        DONGNE_HTTPS="true",
        DONGNE_SECRET_KEY="a-long-random-production-key-" + "k3Y" * 20,
        DONGNE_ALLOWED_HOSTS="dongne.example.kr",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_development_key_and_plain_http_fail_check_deploy(tmp_path):
    result = check_deploy(tmp_path)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "dongne.E001" in output and "security.W012" in output
