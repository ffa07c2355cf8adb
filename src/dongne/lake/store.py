"""Datasets as numbered versions of Parquet files, each made visible in one atomic rename.

    <root>/datasets/<slug>/v000001/part-00000.parquet, _version.json
                           .staging-<uuid>/   an ingest in progress: never listed

A version is written into a staging directory, validated, given its ``_version.json`` (written last, inside
the staging directory) and renamed to ``vNNNNNN``. ``os.rename`` of a directory is atomic on one file system,
and it fails when the target exists and is not empty — which a published version never is — so two
concurrent ingests cannot take the same number: the loser takes the next. Readers list only ``v*``
directories that hold ``_version.json``, so a crash at any moment leaves the old versions, or the old
versions plus the complete new one; its staging directory is removed by :meth:`Store.sweep`.
"""

import errno
import json
import os
import re
import shutil
import socket
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .errors import StoreError

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")
VERSION_DIR = re.compile(r"v(\d{6,})")
META = "_version.json"
OWNER = "_owner.json"
STAGING_PREFIX = ".staging-"


@dataclass(frozen=True)
class Version:
    """A published version; ``meta`` is its ``_version.json`` (schema, rows, profile, preview, source, …)."""

    dataset: str
    number: int
    path: Path
    meta: dict

    @property
    def rows(self) -> int:
        return self.meta["rows"]

    @property
    def columns(self) -> list[dict]:
        return self.meta["columns"]

    @property
    def profile(self) -> list[dict]:
        return self.meta.get("profile", [])

    @property
    def preview(self) -> list[dict]:
        return self.meta.get("preview", [])

    @property
    def created_at(self) -> str:
        return self.meta["created_at"]

    @property
    def files(self) -> list[Path]:
        return [self.path / f for f in self.meta["files"]]


class Staging:
    """A private directory for one version being written. Leaving the ``with`` block without
    :meth:`publish` (an exception included) removes it, so nothing half-written stays behind."""

    def __init__(self, store: "Store", dataset: str):
        self.store, self.dataset = store, dataset
        self.path = store.dataset_dir(dataset) / f"{STAGING_PREFIX}{uuid.uuid4().hex}"
        self.version: Version | None = None

    def __enter__(self):
        self.path.mkdir(parents=True)
        _write_json(self.path / OWNER, {"pid": os.getpid(), "host": socket.gethostname(), "started": _now()})
        return self

    def __exit__(self, *exc):
        if self.version is None:
            shutil.rmtree(self.path, ignore_errors=True)

    def publish(self, meta: dict) -> Version:
        self.version = self.store._publish(self, meta)
        return self.version


class Store:
    """Datasets and their versions under ``root``."""

    def __init__(self, root):
        self.root = Path(root)

    def dataset_dir(self, dataset: str) -> Path:
        if not isinstance(dataset, str) or not SLUG.fullmatch(dataset):
            raise StoreError(
                "A dataset name is 1–100 lowercase letters, digits, '-' or '_', starting with a letter or digit.",
                code="bad_dataset",
                param="dataset",
            )
        return self.root / "datasets" / dataset

    def datasets(self) -> list[str]:
        base = self.root / "datasets"
        return (
            sorted(p.name for p in base.iterdir() if p.is_dir() and self.versions(p.name))
            if base.is_dir()
            else []
        )

    def versions(self, dataset: str) -> list[Version]:
        """Published versions, oldest first."""
        base = self.dataset_dir(dataset)
        if not base.is_dir():
            return []
        out = []
        for p in base.iterdir():
            m = VERSION_DIR.fullmatch(p.name)
            if m and (p / META).is_file():
                out.append(Version(dataset, int(m.group(1)), p, json.loads((p / META).read_text("utf-8"))))
        return sorted(out, key=lambda v: v.number)

    def current(self, dataset: str) -> Version | None:
        versions = self.versions(dataset)
        return versions[-1] if versions else None

    def get(self, dataset: str, number: int | None = None) -> Version:
        """The version ``number`` of ``dataset`` (the current one when None); StoreError "not_found" otherwise."""
        versions = self.versions(dataset)
        for v in reversed(versions):
            if number is None or v.number == number:
                return v
        what = f"version {number} of dataset {dataset!r}" if number is not None else f"dataset {dataset!r}"
        raise StoreError(
            f"There is no {what}.", code="not_found", param="version" if number is not None else "dataset"
        )

    def files(self, dataset: str, number: int | None = None) -> list[Path]:
        """Paths of the Parquet files of a version (the current one when None)."""
        return self.get(dataset, number).files

    def remove(self, dataset: str) -> bool:
        """Delete a dataset and all its versions. The folder is first renamed out of ``datasets/`` (atomic, so
        no reader sees half a dataset), then removed. Returns whether there was anything to remove."""
        base = self.dataset_dir(dataset)
        if not base.is_dir():
            return False
        trash = self.root / "trash" / f"{dataset}-{time.time_ns()}"
        trash.parent.mkdir(parents=True, exist_ok=True)
        base.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
        return True

    def stage(self, dataset: str) -> Staging:
        return Staging(self, dataset)

    def staging_dirs(self, dataset: str | None = None) -> list[Path]:
        base = self.root / "datasets"
        dirs = [self.dataset_dir(dataset)] if dataset else (list(base.iterdir()) if base.is_dir() else [])
        return [p for d in dirs if d.is_dir() for p in d.iterdir() if p.name.startswith(STAGING_PREFIX)]

    def sweep(self, dataset: str | None = None, *, max_age_s: float = 6 * 3600) -> list[Path]:
        """Remove staging directories left by ingests that died: their process is gone (same host), or they
        are older than ``max_age_s`` (another host, or a pid since reused). Returns what was removed."""
        removed = []
        for p in self.staging_dirs(dataset):
            try:
                owner = json.loads((p / OWNER).read_text("utf-8"))
            except (OSError, ValueError):
                owner = {}
            dead = owner.get("host") == socket.gethostname() and not _alive(owner.get("pid"))
            try:
                age = time.time() - p.stat().st_mtime
            except FileNotFoundError:
                continue
            # Without an owner file it is either being created this instant or was never finished: wait a minute.
            if dead or age > max_age_s or (not owner and age > 60):
                shutil.rmtree(p, ignore_errors=True)
                removed.append(p)
        return removed

    def _publish(self, staging: Staging, meta: dict) -> Version:
        """Validate the staged Parquet files against ``meta``, then rename the directory into place."""
        import pyarrow.parquet as pq

        files = sorted(p.name for p in staging.path.glob("part-*.parquet"))
        if not files:
            raise StoreError("The new version has no data files.", code="invalid_version")
        rows, names = 0, [c["name"] for c in meta["columns"]]
        for name in files:
            try:
                md = pq.read_metadata(staging.path / name)
            except Exception as e:  # an unreadable file must never become a version
                raise StoreError(f"Data file {name} is not readable Parquet ({e}).", code="invalid_version")
            if md.schema.to_arrow_schema().names != names:
                raise StoreError(
                    f"Data file {name} does not have the version's columns.", code="invalid_version"
                )
            rows += md.num_rows
        if rows != meta["rows"]:
            raise StoreError(f"The data files hold {rows} rows, not {meta['rows']}.", code="invalid_version")
        for p in staging.path.iterdir():  # temporary files of the ingest do not belong to the version
            if (
                p.name not in files and p.name != OWNER
            ):  # the owner file goes after the rename (sweep needs it)
                shutil.rmtree(p) if p.is_dir() else p.unlink()
        for name in files:
            _fsync(staging.path / name)
        base = staging.path.parent
        number = max((v.number for v in self.versions(staging.dataset)), default=0) + 1
        meta = {**meta, "dataset": staging.dataset, "files": files, "created_at": _now()}
        meta["bytes"] = sum((staging.path / f).stat().st_size for f in files)
        while True:
            meta["number"] = number
            _write_json(staging.path / META, meta)
            _fsync(staging.path)
            target = base / f"v{number:06d}"
            try:
                os.rename(staging.path, target)
                break
            except OSError as e:
                if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                    raise
                number += 1  # another ingest published this number first
        (target / OWNER).unlink(missing_ok=True)
        _fsync(base)
        return Version(staging.dataset, number, target, meta)


def _write_json(path: Path, data: dict):
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, default=str)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _fsync(path: Path):
    """Flush a file or directory to disk, so a version that is visible after a power cut is also complete."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _alive(pid) -> bool:
    if not isinstance(pid, int):
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
