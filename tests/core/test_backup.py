"""`dongne backup` / `dongne restore` with real processes: an instance with data is backed up, restored into an
empty place, and the two are compared table by table and file by file. A damaged backup or a non-empty target
is refused and leaves the target untouched."""

import hashlib
import io
import os
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.conf import settings

CLI = "from dongne.core.cli import main; raise SystemExit(main())"
CSV = '시군구코드,관광지명,방문객수\n32010,남이섬,"1,234"\n32010,소양강댐,567\n'


def dongne(env, *args, check=True):
    result = subprocess.run(
        [sys.executable, "-c", CLI, *args], env=env, capture_output=True, text=True, timeout=300
    )
    if check and result.returncode:
        raise AssertionError(f"dongne {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def instance_env(place: Path, database_url: str | None):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DONGNE_LAKE_DIR")}
    env.update(DONGNE_DATA_DIR=str(place), DJANGO_SETTINGS_MODULE="dongne.config.settings")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def file_digests(root: Path):
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def sqlite_tables(path: Path):
    con = sqlite3.connect(path)
    try:
        names = [
            n
            for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            if not n.startswith("sqlite_")
        ]
        return {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"'))) for n in names}
    finally:
        con.close()


def postgres_tables(url: str):
    import psycopg

    with psycopg.connect(url) as con:
        names = [
            n
            for (n,) in con.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        return {n: sorted(map(repr, con.execute(f'SELECT * FROM "{n}"'))) for n in names}


@pytest.fixture
def databases():
    """(source url, target url) on PostgreSQL when the suite runs there, else (None, None) for SQLite files."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] != "django.db.backends.postgresql":
        yield None, None
        return
    import psycopg

    base = f"postgresql://{db['USER']}:{db.get('PASSWORD') or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    names = [f"dongne_backup_{kind}_{uuid.uuid4().hex[:8]}" for kind in ("src", "dst")]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
        for name in names:
            con.execute(f'CREATE DATABASE "{name}"')
    try:
        yield tuple(f"{base}/{name}" for name in names)
    finally:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as con:
            for name in names:
                con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def tables(place: Path, url: str | None):
    return postgres_tables(url) if url else sqlite_tables(place / "dongne.sqlite3")


def test_backup_then_restore_into_an_empty_place_gives_the_same_instance(tmp_path, databases):
    source_url, target_url = databases
    source, target = tmp_path / "source", tmp_path / "target"
    env = instance_env(source, source_url)
    data = tmp_path / "관광지.csv"
    data.write_bytes(CSV.encode("cp949"))
    dongne(env, "migrate")
    dongne(
        env, "create-secretariat", "--email", "admin@example.kr", "--name", "사무국", "--password", "x" * 12
    )
    dongne(env, "ingest", str(data), "--dataset", "attractions", "--title", "관광지 방문객")
    dongne(env, "ingest", str(data), "--dataset", "attractions", "--note", "두 번째 버전")
    (source / "media" / "mou").mkdir(parents=True)
    (source / "media" / "mou" / "협약서.pdf").write_bytes(b"%PDF-1.4 test")

    out = dongne(env, "backup", str(tmp_path)).stdout
    archive = next(tmp_path.glob("dongne-backup-*.tar"))
    assert "2 dataset versions" in out

    target_env = instance_env(target, target_url)
    dongne(target_env, "restore", str(archive))

    assert tables(target, target_url) == tables(source, source_url)
    assert file_digests(target / "lake" / "datasets") == file_digests(source / "lake" / "datasets")
    assert file_digests(target / "media") == file_digests(source / "media")
    # The restored instance answers from its own files.
    rows = dongne(
        target_env,
        "manage",
        "shell",
        "-c",
        "from dongne.datahub.models import Dataset; from dongne.datahub.services import lake_store; "
        "d = Dataset.objects.get(slug='attractions'); "
        "print(d.current_version.number, lake_store().get('attractions', d.current_version.number).rows)",
    ).stdout.splitlines()
    assert rows[-1].split() == ["2", "2"]  # (the shell first says what it imported)

    # A second restore over the now non-empty place is refused.
    again = dongne(target_env, "restore", str(archive), check=False)
    assert again.returncode == 2 and "not empty" in again.stderr


def test_a_damaged_backup_is_refused_and_nothing_is_restored(tmp_path, databases):
    source_url, target_url = databases
    source, target = tmp_path / "source", tmp_path / "target"
    env = instance_env(source, source_url)
    data = tmp_path / "data.csv"
    data.write_text(CSV, encoding="utf-8")
    dongne(env, "migrate")
    dongne(
        env, "create-secretariat", "--email", "admin@example.kr", "--name", "사무국", "--password", "x" * 12
    )
    dongne(env, "ingest", str(data), "--dataset", "attractions", "--title", "관광지")
    dongne(env, "backup", str(tmp_path / "good.tar"))

    # Rewrite the archive with one Parquet file changed (same size), keeping the manifest.
    bad = tmp_path / "bad.tar"
    with tarfile.open(tmp_path / "good.tar") as src, tarfile.open(bad, "w") as dst:
        for member in src.getmembers():
            content = src.extractfile(member).read()
            if member.name.endswith(".parquet"):
                content = content[:-20] + bytes(20)
            dst.addfile(member, io.BytesIO(content))

    result = dongne(instance_env(target, target_url), "restore", str(bad), check=False)
    assert result.returncode == 2 and "damaged" in result.stderr
    assert not (target / "lake" / "datasets").exists() or not any((target / "lake" / "datasets").iterdir())
    assert tables(target, target_url) == {}
