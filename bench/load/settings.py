"""The platform's settings plus one URL: a minimal Django view, the ceiling the pages are measured against."""

from dongne.config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load.urls"
