"""``dongne check``: what is misconfigured, in plain Korean and English (issue 9).

Each check returns Findings. ``error`` means the platform will not work or is unsafe as configured and must be
fixed (the command then exits with 1); ``warning`` should be looked at; ``info`` is for the reader's
information (optional parts); ``ok`` says what was checked and found right. The messages are written for the
secretariat's part-time IT person: what is wrong, and the variable or package that fixes it.
"""

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

ERROR, WARNING, INFO, OK = "error", "warning", "info", "ok"
LABELS = {ERROR: "✗ 오류/ERROR", WARNING: "! 주의/WARNING", INFO: "· 참고/INFO", OK: "✓ 정상/OK"}
LOCAL_HOSTS = {"127.0.0.1", "localhost", "testserver", "[::1]", "::1"}


@dataclass
class Finding:
    level: str
    ko: str
    en: str
    fix: str = ""

    def render(self):
        lines = [f"{LABELS[self.level]}  {self.ko}", f"    {self.en}"]
        if self.fix:
            lines.append(f"    → {self.fix}")
        return "\n".join(lines)


def is_production():
    """HTTPS switched on, or the site answers to a host name that is not this machine."""
    return settings.HTTPS or any(h not in LOCAL_HOSTS for h in settings.ALLOWED_HOSTS)


# --- settings ---------------------------------------------------------------------------------------------


def check_secret_key():
    if settings.SECRET_KEY != settings.DEVELOPMENT_SECRET_KEY:
        if len(settings.SECRET_KEY) < 40:
            return [
                Finding(
                    WARNING,
                    "DONGNE_SECRET_KEY가 짧습니다 (40자 미만).",
                    "DONGNE_SECRET_KEY is short (under 40 characters).",
                    "python -c 'import secrets; print(secrets.token_urlsafe(50))'",
                )
            ]
        return [Finding(OK, "비밀 키가 설정되어 있습니다.", "A secret key is set.")]
    if is_production():
        return [
            Finding(
                ERROR,
                "운영 환경인데 공개된 개발용 비밀 키를 쓰고 있습니다. 누구나 세션과 토큰을 위조할 수 있습니다.",
                "Production uses the public development secret key: anyone could forge sessions.",
                "DONGNE_SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')",
            )
        ]
    return [
        Finding(
            INFO,
            "개발용 비밀 키를 쓰고 있습니다 (시험용으로는 괜찮음).",
            "The development secret key is in use (fine for trying out, not for production).",
            "DONGNE_SECRET_KEY",
        )
    ]


def check_debug():
    if not settings.DEBUG:
        return [Finding(OK, "디버그 모드가 꺼져 있습니다.", "Debug mode is off.")]
    if is_production():
        return [
            Finding(
                ERROR,
                "운영(HTTPS) 환경에서 디버그 모드가 켜져 있습니다. 오류 화면에 설정과 코드가 드러납니다.",
                "DEBUG is on in production (HTTPS): error pages show settings and source code.",
                "DONGNE_DEBUG=false",
            )
        ]
    return [Finding(WARNING, "디버그 모드가 켜져 있습니다.", "DEBUG is on.", "DONGNE_DEBUG=false")]


def check_hosts():
    hosts = [h for h in settings.ALLOWED_HOSTS if h]
    public = [h for h in hosts if h not in LOCAL_HOSTS]
    findings = []
    if settings.HTTPS and not public:
        findings.append(
            Finding(
                ERROR,
                "HTTPS가 켜져 있는데 DONGNE_ALLOWED_HOSTS에 이 서버의 도메인이 없습니다 (비어 있거나 localhost뿐). "
                "모든 요청이 400으로 거부됩니다.",
                "HTTPS is on but DONGNE_ALLOWED_HOSTS holds no public host name (empty or localhost only): "
                "every request is refused with 400.",
                "DONGNE_ALLOWED_HOSTS=dongne.example.kr",
            )
        )
    elif not hosts:
        findings.append(
            Finding(
                ERROR,
                "DONGNE_ALLOWED_HOSTS가 비어 있습니다.",
                "DONGNE_ALLOWED_HOSTS is empty.",
                "DONGNE_ALLOWED_HOSTS",
            )
        )
    else:
        findings.append(Finding(OK, f"허용 호스트: {', '.join(hosts)}", f"Allowed hosts: {', '.join(hosts)}"))
    if settings.HTTPS and not settings.SITE_URL.startswith("https://"):
        findings.append(
            Finding(
                WARNING,
                "DONGNE_SITE_URL이 https://로 시작하지 않습니다. 메일의 링크가 틀립니다.",
                "DONGNE_SITE_URL does not start with https://: links in e-mails will be wrong.",
                "DONGNE_SITE_URL=https://dongne.example.kr",
            )
        )
    if not settings.HTTPS and public:
        findings.append(
            Finding(
                WARNING,
                "공개 도메인으로 서비스하는데 DONGNE_HTTPS가 꺼져 있습니다 (쿠키가 평문으로 오갑니다).",
                "A public host name is served with DONGNE_HTTPS off: cookies travel unencrypted.",
                "DONGNE_HTTPS=true (TLS 프록시 뒤에서는 DONGNE_PROXY_SSL_HEADER=true도)",
            )
        )
    return findings


def check_email():
    backend = settings.EMAIL_BACKEND.rsplit(".", 2)[-2] if "." in settings.EMAIL_BACKEND else ""
    if backend in ("console", "locmem", "dummy", "filebased"):
        if is_production():
            return [
                Finding(
                    ERROR,
                    "운영 환경인데 메일이 실제로 발송되지 않습니다 (콘솔 출력). 초대장과 비밀번호 재설정 메일이 "
                    "도착하지 않습니다.",
                    f"Production sends no e-mail (the {backend} backend): invitations and password resets never "
                    "arrive.",
                    "DONGNE_EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend, DONGNE_EMAIL_HOST/PORT/"
                    "USER/PASSWORD/USE_TLS",
                )
            ]
        return [
            Finding(
                INFO, "메일은 콘솔에 출력됩니다.", "E-mail is printed to the console.", "DONGNE_EMAIL_BACKEND"
            )
        ]
    return [Finding(OK, f"메일 서버: {settings.EMAIL_HOST}", f"Mail server: {settings.EMAIL_HOST}")]


# --- services ---------------------------------------------------------------------------------------------


def check_database(conn=None):
    from django.db import connection as default_connection
    from django.db.migrations.executor import MigrationExecutor

    connection = conn or default_connection
    try:
        connection.ensure_connection()
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except Exception as exc:
        params = connection.settings_dict
        if connection.vendor == "postgresql":
            where = f"{params.get('HOST') or 'localhost'}:{params.get('PORT') or 5432}/{params.get('NAME')}"
            return [
                Finding(
                    ERROR,
                    f"PostgreSQL({where})에 연결할 수 없습니다: {type(exc).__name__}",
                    f"PostgreSQL at {where} is unreachable: {str(exc).strip()[:200]}",
                    "systemctl status postgresql; DATABASE_URL의 사용자·암호·DB 이름 확인 / check the user, "
                    "password and database name in DATABASE_URL",
                )
            ]
        return [
            Finding(
                ERROR,
                f"데이터베이스에 연결할 수 없습니다: {type(exc).__name__}",
                f"The database is unreachable: {str(exc).strip()[:200]}",
                "DATABASE_URL / DONGNE_DATA_DIR",
            )
        ]
    findings = [
        Finding(OK, f"데이터베이스 연결됨 ({connection.vendor})", f"Database reachable ({connection.vendor})")
    ]
    if pending:
        findings.append(
            Finding(
                ERROR,
                f"적용되지 않은 마이그레이션이 {len(pending)}개 있습니다.",
                f"{len(pending)} database migrations are not applied.",
                "dongne migrate",
            )
        )
    if connection.vendor == "sqlite" and is_production():
        findings.append(
            Finding(
                INFO,
                "SQLite로 운영 중입니다. 서버 한 대·작은 조합에는 충분하지만 여러 서버에는 PostgreSQL이 필요합니다.",
                "Running on SQLite: enough for one server and a small cooperative; several servers need "
                "PostgreSQL.",
                "DATABASE_URL=postgres://…",
            )
        )
    return findings


def _redis_ping(url, timeout=3):
    parts = urlsplit(url)
    with socket.create_connection(
        (parts.hostname or "127.0.0.1", parts.port or 6379), timeout=timeout
    ) as sock:
        sock.settimeout(timeout)
        if parts.password:
            user = parts.username or "default"
            sock.sendall(f"AUTH {user} {parts.password}\r\n".encode())
            sock.recv(128)
        sock.sendall(b"PING\r\n")
        reply = sock.recv(128)
    if not reply.startswith(b"+PONG"):
        raise ConnectionError(reply.decode(errors="replace").strip() or "no answer")


def check_queue():
    if not settings.REDIS_URL:
        return [
            Finding(
                INFO,
                "작업 큐는 데이터 폴더의 SQLite 파일입니다 (서버 한 대에 적합).",
                "The job queue is a SQLite file in the data folder (right for one server).",
                "DONGNE_REDIS_URL=redis://127.0.0.1:6379/0 (여러 서버 / several servers)",
            )
        ]
    findings = []
    try:
        import redis  # noqa: F401 — huey's RedisHuey needs the client library
    except ImportError:
        findings.append(
            Finding(
                ERROR,
                "DONGNE_REDIS_URL이 설정되었지만 redis 파이썬 패키지가 없습니다.",
                "DONGNE_REDIS_URL is set but the redis Python package is not installed.",
                "pip install redis",
            )
        )
    parts = urlsplit(settings.REDIS_URL)
    where = f"{parts.hostname or '127.0.0.1'}:{parts.port or 6379}"
    try:
        _redis_ping(settings.REDIS_URL)
    except (OSError, ConnectionError) as exc:
        findings.append(
            Finding(
                ERROR,
                f"Redis({where})에 연결할 수 없습니다. 백그라운드 작업(적재, 수집)이 실행되지 않습니다.",
                f"Redis at {where} is unreachable ({exc}): background jobs (ingests, pulls) will not run.",
                "apt-get install redis-server; systemctl enable --now redis-server",
            )
        )
    else:
        findings.append(Finding(OK, f"Redis({where}) 응답함", f"Redis at {where} answers"))
    return findings


def check_data_dir():
    from . import health

    result = health.check_data_dir(min_free_mb=settings.HEALTH_MIN_FREE_MB)
    path = settings.DATA_DIR
    if result["status"] == health.OK:
        return [
            Finding(
                OK,
                f"데이터 폴더 {path}: 쓰기 가능, 여유 공간 {result['free_mb']} MB",
                f"Data folder {path}: writable, {result['free_mb']} MB free",
            )
        ]
    reason = {
        "missing": ("폴더가 없습니다", "does not exist", f"mkdir -p {path} && chown dongne: {path}"),
        "not_writable": ("쓸 수 없습니다", "is not writable", f"chown -R dongne: {path}"),
        "low_disk_space": (
            f"여유 공간이 {result.get('free_mb')} MB뿐입니다",
            f"has only {result.get('free_mb')} MB free",
            "디스크 정리 또는 DONGNE_HEALTH_MIN_FREE_MB / free some disk space",
        ),
    }[result["error"]]
    return [
        Finding(ERROR, f"데이터 폴더 {path}: {reason[0]}.", f"The data folder {path} {reason[1]}.", reason[2])
    ]


# --- system packages --------------------------------------------------------------------------------------


def check_font():
    from .pdf import korean_font

    font = korean_font()
    if font:
        return [Finding(OK, f"PDF용 한글 글꼴: {font}", f"Korean font for PDFs: {font}")]
    return [
        Finding(
            ERROR,
            "PDF용 한글 글꼴이 없습니다. 회의록·증명서·경영공시 PDF를 만들 수 없습니다.",
            "No Korean font for PDFs: minutes, certificates and annual reports cannot be produced.",
            "apt-get install fonts-noto-cjk",
        )
    ]


def check_optional_programs():
    findings = []
    if not os.path.exists("/usr/bin/chromium") and not shutil.which("chromium"):
        findings.append(
            Finding(
                INFO,
                "chromium이 없습니다. 브라우저 테스트에만 필요하고 서버 운영에는 필요 없습니다.",
                "chromium is not installed: only the browser tests need it, a server does not.",
            )
        )
    java = shutil.which("java")
    if java is None:
        findings.append(
            Finding(
                INFO,
                "Java가 없습니다. 데이터 레이크를 Spark로 돌릴 때만 필요합니다 (기본은 DuckDB).",
                "Java is not installed: only needed to run the data lake on Spark (DuckDB is the default).",
                "apt-get install default-jre-headless",
            )
        )
    else:
        version = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
        first = (version.splitlines() or ["java"])[0]
        findings.append(Finding(INFO, f"Spark용 Java: {first}", f"Java for Spark: {first}"))
    return findings


CHECKS = (
    check_secret_key,
    check_debug,
    check_hosts,
    check_email,
    check_database,
    check_queue,
    check_data_dir,
    check_font,
    check_optional_programs,
)


def run(out):
    """Print every finding to ``out``; return the exit code (1 when something must be fixed)."""
    findings = [finding for check in CHECKS for finding in check()]
    for finding in findings:
        print(finding.render(), file=out)
    errors = sum(f.level == ERROR for f in findings)
    warnings = sum(f.level == WARNING for f in findings)
    print(file=out)
    if errors:
        print(
            f"고쳐야 할 문제 {errors}개, 주의 {warnings}개 / {errors} to fix, {warnings} warnings", file=out
        )
        return 1
    print(f"고쳐야 할 문제 없음 (주의 {warnings}개) / Nothing to fix ({warnings} warnings)", file=out)
    return 0
