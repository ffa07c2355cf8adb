"""Fixtures of the insights tests.

``regional`` is the demo-size generated data (session-wide: generating it takes under a second, but every
analysis test reads the same files); ``sources`` maps each dataset slug to its Parquet file, the form the
analyses take. ``published`` makes the Django side (API, pages) read those same files as the datahub's current
versions, without registering datasets. ``demo_datasets`` runs the real demo loader (datahub registration and
ingest) into the test's own lake.
"""

import pytest

from dongne.insights import generate

K = 10


@pytest.fixture(scope="session")
def regional():
    return generate.generate()


@pytest.fixture(scope="session")
def sources(regional, tmp_path_factory):
    paths = generate.write_parquet(regional, tmp_path_factory.mktemp("insights"))
    return {slug: [str(path)] for slug, path in paths.items()}


@pytest.fixture
def published(sources, monkeypatch, settings):
    """The API and pages see ``sources`` as the published insights datasets, with k = 10."""
    from dongne.insights import selectors

    settings.INSIGHTS_MIN_COUNT = K
    monkeypatch.setattr(selectors, "current_sources", lambda: dict(sources))
    return sources


@pytest.fixture
def demo_datasets(db, secretariat, settings, tmp_path):
    """The insights demo loaded through the datahub (registration, ingest, publication) into tmp_path."""
    from dongne.insights.demo import load_insights_demo

    settings.LAKE_ROOT = tmp_path / "lake"
    settings.UPLOAD_DIR = tmp_path / "uploads"
    return load_insights_demo(secretariat)
