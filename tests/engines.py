"""Which search engines the backend-parametrised tests run on.

Tantivy always; the Elasticsearch-family backend when ``CATALOGUE_TEST_ELASTICSEARCH_URL`` points
at a live server (``.ci/run`` and ``make opensearch`` start the OpenSearch node of
``deploy/opensearch-node``). In CI a missing URL fails the run (``tests/conftest.py``); on a
developer machine the live cases skip, saying why.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ES_URL = os.environ.get("CATALOGUE_TEST_ELASTICSEARCH_URL") or None
JAVA_17 = Path("/usr/lib/jvm/java-17-openjdk-amd64/bin/java")


def skip_reason() -> str:
    if not (JAVA_17.exists() or os.environ.get("JAVA_HOME") or shutil.which("java")):
        return ("no Java here, so no OpenSearch test node: the live search-engine tests need "
                "CATALOGUE_TEST_ELASTICSEARCH_URL pointing at an Elasticsearch/OpenSearch server")
    return ("search engine not configured: run `make opensearch` and set "
            "CATALOGUE_TEST_ELASTICSEARCH_URL to the URL it prints")


ES_PARAM = pytest.param("elasticsearch", marks=pytest.mark.skipif(ES_URL is None,
                                                                  reason=skip_reason()))
BACKENDS = ["tantivy", ES_PARAM]
