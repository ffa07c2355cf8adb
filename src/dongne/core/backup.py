"""``dongne backup`` and ``dongne restore``: the database and the data folder, consistent with each other.

A backup is one tar file holding ``manifest.json``, the database (``db.sqlite3`` made with SQLite's online
backup API, or ``db.pgdump`` from ``pg_dump -Fc``), and under ``data/`` the lake versions and media files.

Consistency: the lake holds immutable version folders and the database says which exist (``DatasetVersion``).
The backup copies exactly the versions recorded in the database snapshot it took — on PostgreSQL the version
list is read in the very snapshot ``pg_dump`` dumps (``pg_export_snapshot``), on SQLite from the backup copy
itself — so a version published during the backup is either in both or in neither. Media files are copied
after the snapshot; a file uploaded meanwhile is an unreferenced extra, never a missing one. The job queue and
caches (downloads, uploads in flight, static files) are not part of a backup: they are rebuilt or re-run.

Restore goes into an empty place only (no tables in the database, no lake in the data folder), checks every
file against the manifest's SHA-256 first, and writes nothing when a check fails.
"""

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection

FORMAT = 1
LAKE_PREFIX = "data/lake/"
MEDIA_PREFIX = "data/media/"


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _pg_env(db):
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _pg_args(db):
    args = []
    if db.get("HOST"):
        args += ["-h", str(db["HOST"])]
    if db.get("PORT"):
        args += ["-p", str(db["PORT"])]
    if db.get("USER"):
        args += ["-U", str(db["USER"])]
    return args


_VERSIONS_SQL = (
    "SELECT d.slug, v.number FROM datahub_datasetversion v JOIN datahub_dataset d ON d.id = v.dataset_id "
    "ORDER BY d.slug, v.number"
)


def _snapshot_sqlite(workdir: Path):
    target = workdir / "db.sqlite3"
    connection.ensure_connection()
    source = (
        connection.connection
    )  # the live sqlite3 connection: the online backup API copies a consistent state
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
        versions = dest.execute(_VERSIONS_SQL).fetchall()
    finally:
        dest.close()
    return target, versions


def _snapshot_postgresql(workdir: Path):
    db = settings.DATABASES["default"]
    target = workdir / "db.pgdump"
    if not shutil.which("pg_dump"):
        raise BackupError("pg_dump is not installed (Debian: postgresql-client).")
    connection.ensure_connection()
    if not connection.get_autocommit():
        raise BackupError("A backup cannot run inside a transaction.")
    with connection.connection.cursor() as cur:
        # One REPEATABLE READ transaction exports its snapshot; pg_dump dumps that very snapshot, and the
        # version list below is read in it too. (Autocommit mode, so the explicit BEGIN is the transaction.)
        cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            cur.execute("SELECT pg_export_snapshot()")
            snapshot = cur.fetchone()[0]
            cur.execute(_VERSIONS_SQL)
            versions = cur.fetchall()
            result = subprocess.run(
                ["pg_dump", "-Fc", "--no-owner", "--snapshot", snapshot, "-f", str(target), *_pg_args(db)]
                + [db["NAME"]],
                env=_pg_env(db),
                capture_output=True,
                text=True,
            )
        finally:
            cur.execute("ROLLBACK")
    if result.returncode:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return target, versions


def create_backup(destination) -> tuple[Path, dict]:
    """Write a backup tar to ``destination`` (a file path, or a folder to put a dated file in); returns
    (path, manifest)."""
    destination = Path(destination)
    if destination.is_dir():
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        destination = destination / f"dongne-backup-{stamp}.tar"
    if destination.exists():
        raise BackupError(f"{destination} already exists; choose another name.")
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    from dongne.lake.store import Store

    store = Store(settings.LAKE_ROOT)
    with tempfile.TemporaryDirectory(prefix="dongne-backup-", dir=destination.parent) as tmp:
        workdir = Path(tmp)
        db_file, versions = (_snapshot_sqlite if vendor == "sqlite" else _snapshot_postgresql)(workdir)
        members = [(db_file, db_file.name)]
        missing = []
        for slug, number in versions:
            try:
                folder = store.get(slug, number).path
            except Exception:
                missing.append(f"{slug} v{number}")
                continue
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                members.append((path, LAKE_PREFIX + path.relative_to(store.root).as_posix()))
        media = Path(settings.MEDIA_ROOT)
        if media.is_dir():
            for path in sorted(p for p in media.rglob("*") if p.is_file()):
                members.append((path, MEDIA_PREFIX + path.relative_to(media).as_posix()))
        manifest = {
            "format": FORMAT,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "database": vendor,
            "versions": [[slug, number] for slug, number in versions],
            "missing_versions": missing,
            "files": {name: {"size": path.stat().st_size, "sha256": _sha256(path)} for path, name in members},
        }
        manifest_path = workdir / "manifest.json"
        manifest_path.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        partial = destination.with_name(destination.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(manifest_path, "manifest.json")
            for path, name in members:
                tar.add(path, name)
        os.replace(partial, destination)  # a backup file is either whole or absent
    return destination, manifest


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore_backup(source) -> dict:
    """Restore the backup tar ``source`` into the configured database and data folder, which must be empty.
    Returns the manifest."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"{source} does not exist.")
    vendor = connection.vendor
    lake_root = Path(settings.LAKE_ROOT)
    if (lake_root / "datasets").is_dir() and any((lake_root / "datasets").iterdir()):
        raise BackupError(f"The lake at {lake_root} is not empty; restore into an empty data folder.")
    if not _database_is_empty():
        raise BackupError("The database already has tables; restore into an empty database.")
    with tempfile.TemporaryDirectory(prefix="dongne-restore-") as tmp:
        workdir = Path(tmp)
        with tarfile.open(source, "r") as tar:
            tar.extractall(workdir, filter="data")
        try:
            manifest = json.loads((workdir / "manifest.json").read_text("utf-8"))
        except (OSError, ValueError):
            raise BackupError(f"{source} is not a Dongne backup (no manifest).")
        if manifest.get("format") != FORMAT:
            raise BackupError(f"Unknown backup format {manifest.get('format')!r}.")
        if manifest["database"] != vendor:
            raise BackupError(
                f"The backup holds a {manifest['database']} database; the configured one is {vendor}."
            )
        for name, meta in manifest["files"].items():
            path = workdir / name
            if not path.is_file() or path.stat().st_size != meta["size"] or _sha256(path) != meta["sha256"]:
                raise BackupError(f"{name} in the backup is damaged or missing; nothing was restored.")
        if vendor == "sqlite":
            _restore_sqlite(workdir / "db.sqlite3")
        else:
            _restore_postgresql(workdir / "db.pgdump")
        for prefix, target in ((LAKE_PREFIX, lake_root), (MEDIA_PREFIX, Path(settings.MEDIA_ROOT))):
            for name in manifest["files"]:
                if name.startswith(prefix):
                    dest = target / name[len(prefix) :]
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(workdir / name, dest)
    return manifest


def _restore_sqlite(db_file: Path):
    connection.ensure_connection()
    src = sqlite3.connect(db_file)
    try:
        src.backup(connection.connection)  # into the live (empty) database, through SQLite's backup API
    finally:
        src.close()


def _restore_postgresql(dump: Path):
    db = settings.DATABASES["default"]
    if not shutil.which("pg_restore"):
        raise BackupError("pg_restore is not installed (Debian: postgresql-client).")
    result = subprocess.run(
        [
            "pg_restore",
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "-d",
            db["NAME"],
            *_pg_args(db),
        ]
        + [str(dump)],
        env=_pg_env(db),
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
