"""The store: versions appear whole or not at all, and old versions stay listable."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dongne.lake.errors import ReadError, StoreError
from dongne.lake.ingest import ingest_file
from dongne.lake.store import Store

from .samples import TOURIST_CP949, table, write_csv


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "lake")


def publish(store, dataset, rows):
    with store.stage(dataset) as st:
        pq.write_table(pa.table({"n": rows}), st.path / "part-00000.parquet")
        return st.publish({"rows": len(rows), "columns": [{"name": "n", "type": "integer"}]})


def test_versions_are_numbered_listed_and_kept(store):
    v1 = publish(store, "tour", [1, 2])
    v2 = publish(store, "tour", [1, 2, 3])
    assert [v.number for v in store.versions("tour")] == [1, 2]
    assert store.current("tour").number == 2
    assert store.get("tour", 1).rows == 2
    assert store.get("tour").rows == 3
    assert v1.path.name == "v000001" and v2.path.name == "v000002"
    assert store.files("tour", 1) == [v1.path / "part-00000.parquet"]
    assert store.datasets() == ["tour"]
    meta = json.loads((v2.path / "_version.json").read_text("utf-8"))
    assert (meta["dataset"], meta["number"], meta["files"]) == ("tour", 2, ["part-00000.parquet"])


def test_missing_dataset_or_version(store):
    assert store.versions("nothing") == [] and store.current("nothing") is None
    with pytest.raises(StoreError) as e:
        store.get("nothing")
    assert (e.value.code, e.value.param) == ("not_found", "dataset")
    publish(store, "tour", [1])
    with pytest.raises(StoreError) as e:
        store.get("tour", 7)
    assert (e.value.code, e.value.param) == ("not_found", "version")


@pytest.mark.parametrize("name", ["", "../etc", "Tour", "a/b", ".staging-x", "관광"])
def test_dataset_names_cannot_escape_the_store(store, name):
    with pytest.raises(StoreError) as e:
        store.versions(name)
    assert (e.value.code, e.value.param) == ("bad_dataset", "dataset")


def test_an_error_while_staging_leaves_nothing(store):
    publish(store, "tour", [1])
    with pytest.raises(RuntimeError), store.stage("tour") as st:
        pq.write_table(pa.table({"n": [1, 2]}), st.path / "part-00000.parquet")
        raise RuntimeError("disk full")
    assert [v.number for v in store.versions("tour")] == [1]
    assert store.staging_dirs("tour") == []


def test_a_version_that_does_not_match_its_metadata_is_not_published(store):
    with pytest.raises(StoreError) as e, store.stage("tour") as st:
        pq.write_table(pa.table({"n": [1, 2]}), st.path / "part-00000.parquet")
        st.publish({"rows": 3, "columns": [{"name": "n", "type": "integer"}]})
    assert e.value.code == "invalid_version"
    assert store.versions("tour") == [] and store.staging_dirs("tour") == []


def test_concurrent_publish_takes_the_next_number(store, monkeypatch):
    """Two ingests that both computed number 1: the second rename fails on the non-empty v000001 and
    retries with 2, instead of replacing the first version."""
    with store.stage("tour") as a, store.stage("tour") as b:
        for st, n in ((a, [1]), (b, [1, 2])):
            pq.write_table(pa.table({"n": n}), st.path / "part-00000.parquet")
        a.publish({"rows": 1, "columns": [{"name": "n"}]})
        monkeypatch.setattr(store, "versions", lambda dataset: [])  # b has a stale view of the versions
        vb = b.publish({"rows": 2, "columns": [{"name": "n"}]})
        monkeypatch.undo()
    assert vb.number == 2
    assert [(v.number, v.rows) for v in store.versions("tour")] == [(1, 1), (2, 2)]


def test_sweep_removes_staging_of_dead_ingests_only(store):
    publish(store, "tour", [1])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with store.stage("tour") as live:
        stale = store.dataset_dir("tour") / ".staging-dead"
        stale.mkdir()
        (stale / "_owner.json").write_text(json.dumps({"pid": dead.pid, "host": os.uname().nodename}))
        removed = store.sweep()
        assert removed == [stale]
        assert store.staging_dirs("tour") == [live.path]  # this process is alive: its ingest is kept


CHILD = """
import os, sys, time
from pathlib import Path
import dongne.lake.store as store_mod
from dongne.lake.ingest import ingest_file
from dongne.lake.store import Store

marker, phase = Path(sys.argv[3]), sys.argv[4]

def hang(*args):
    marker.write_text("ready")
    time.sleep(600)

if phase == "publish":
    # Crash at the worst moment: data and _version.json are written, the rename has not happened.
    store_mod.os.rename = hang
    progress = None
else:
    # Crash while the file is being transcoded into the staging directory.
    progress = lambda done, total, rows: hang() if done > 0 else None
ingest_file(Store(sys.argv[1]), "tour", sys.argv[2], progress=progress)
"""


@pytest.mark.parametrize("phase", ["scan", "publish"])
def test_a_killed_ingest_leaves_only_complete_versions(store, tmp_path, phase):
    v1 = ingest_file(store, "tour", TOURIST_CP949)
    marker = tmp_path / "marker"
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(CHILD),
            str(store.root),
            str(TOURIST_CP949),
            str(marker),
            phase,
        ]
    )
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, "the ingest ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        staged = store.staging_dirs("tour")
        assert len(staged) == 1 and any(staged[0].iterdir())  # something half-done is on disk...
        if phase == "publish":
            assert (staged[0] / "_version.json").exists()
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait()
    assert child.returncode == -signal.SIGKILL
    # ...but the store lists only the complete version, whose data is intact.
    assert [v.number for v in store.versions("tour")] == [1]
    assert table(store.current("tour")).equals(table(v1))
    assert store.sweep() == staged
    assert store.staging_dirs("tour") == []
    assert ingest_file(store, "tour", TOURIST_CP949).number == 2


def test_failed_ingest_mid_copy_keeps_the_previous_version(store, tmp_path, monkeypatch):
    """A file that turns ragged at data row 50,000: DuckDB is already writing Parquet when it finds it
    (the sample is smaller), and the store still lists only the old version, with no staging left."""
    import dongne.lake.ingest as ingest

    v1 = ingest_file(store, "tour", TOURIST_CP949)
    rows = [["번호", "이름", "값"]] + [[str(i), f"봄내 {i}", "1,000원"] for i in range(1, 60_001)]
    rows[50_000].append("extra")
    path = write_csv(tmp_path / "ragged.csv", rows, encoding="cp949")
    monkeypatch.setattr(ingest, "SAMPLE_ROWS", 1000)
    with pytest.raises(ReadError) as e:
        ingest_file(store, "tour", path)
    assert (e.value.code, e.value.row, e.value.detail) == ("ragged_row", 50_001, {"expected": 3, "found": 4})
    assert [v.number for v in store.versions("tour")] == [1]
    assert store.current("tour").meta == v1.meta
    assert store.staging_dirs("tour") == []
