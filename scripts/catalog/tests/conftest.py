import os
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
CATALOG = os.path.dirname(HERE)
ROOT = os.path.dirname(os.path.dirname(CATALOG))
sys.path.insert(0, CATALOG)

from tfdrift_catalog import build  # noqa: E402


@pytest.fixture(scope="session")
def catalog():
    """The whole catalog, built once (loading 400+ API models takes most of a minute)."""
    return build.build(os.path.join(ROOT, "Sources", "Detector", "Resources", "catalog"))


def _lookup(entries, what):
    def lookup(source, name):
        entry = entries.get((source, name))
        assert entry is not None, f"no {what} entry for {source} {name}"
        return entry
    return lookup


@pytest.fixture(scope="session")
def generated(catalog):
    """Look up a generated (not curated) entry by (event source, event name)."""
    return _lookup(catalog.generated, "generated")


@pytest.fixture(scope="session")
def final(catalog):
    """Look up an entry of the catalog the detector embeds (curated laid over generated)."""
    return _lookup(catalog.final, "final")


def paths(target):
    return [p for spec in target["ids"] for p in spec["paths"]]
