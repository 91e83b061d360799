"""Both HTTP clients of the ES-family backend, against a recording HTTP server.

No Java needed: a small server answers like Elasticsearch/OpenSearch and records each request,
so a misspelt API call, a body in the wrong place or a wrong parameter name shows here as a
wrong method, path or body (the live suite then runs the same calls on a real node).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from search.engine_client import (
    ENGINE_SETTING,
    ElasticsearchClient,
    EngineClient,
    EngineError,
    NotFound,
    OpenSearchClient,
    Refused,
    connect,
    detect_engine,
)

ACK = {"acknowledged": True}
SAME_AS = {("PUT", "/_bulk"): ("POST", "/_bulk")}
ROUTES: dict[tuple[str, str], tuple[int, Any]] = {
    ("HEAD", "/_alias/catalogue"): (200, None),
    ("HEAD", "/_alias/nothing"): (404, None),
    ("PUT", "/catalogue-1"): (200, {**ACK, "index": "catalogue-1"}),
    ("PUT", "/taken"): (400, {"error": {"type": "resource_already_exists_exception",
                                        "reason": "index [taken] already exists"}, "status": 400}),
    ("GET", "/_alias/catalogue"): (200, {"catalogue-2": {"aliases": {"catalogue": {}}},
                                         "catalogue-1": {"aliases": {"catalogue": {}}}}),
    ("GET", "/catalogue/_mapping"): (200, {"catalogue-1": {"mappings": {"_meta": {"last_seq": 4}}}}),
    ("PUT", "/catalogue-1/_mapping"): (200, ACK),
    ("PUT", "/nowhere/_mapping"): (404, {"error": {"type": "index_not_found_exception"},
                                         "status": 404}),
    ("POST", "/_bulk"): (200, {"took": 1, "errors": True, "items": [
        {"index": {"_index": "catalogue-1", "_id": "a", "status": 201, "result": "created"}},
        {"delete": {"_index": "catalogue-1", "_id": "b", "status": 404, "result": "not_found"}}]}),
    ("PUT", "/_bulk"): (0, None),  # the same answer as POST: both are the documented API
    ("POST", "/catalogue-1/_refresh"): (200, {"_shards": {"total": 1, "successful": 1}}),
    ("GET", "/catalogue-*"): (200, {"catalogue-2": {}, "catalogue-1": {}}),
    ("DELETE", "/catalogue-1"): (200, ACK),
    ("POST", "/_aliases"): (200, ACK),
    ("POST", "/catalogue/_count"): (200, {"count": 7}),
    ("GET", "/catalogue/_count"): (200, {"count": 7}),
    ("GET", "/catalogue/_doc/r1"): (200, {"_id": "r1", "found": True, "_source": {"record": {"id": "r1"}}}),
    ("GET", "/catalogue/_doc/r2"): (404, {"_id": "r2", "found": False}),
    ("POST", "/catalogue/_search"): (200, {"hits": {"total": {"value": 0}, "hits": []}}),
}


class Recorder:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str], Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        raw = request.get_data()
        if request.path == "/_bulk":
            body: Any = [json.loads(line) for line in raw.splitlines() if line.strip()]
        else:
            body = json.loads(raw) if raw else None
        route = SAME_AS.get((request.method, request.path), (request.method, request.path))
        self.requests.append((*route, dict(request.args), body))
        status, answer = ROUTES.get(route, (405, {"error": "no route"}))
        headers = {"X-Elastic-Product": "Elasticsearch", "Content-Type": "application/json"}
        return Response("" if answer is None else json.dumps(answer), status=status,
                        headers=headers)(environ, start_response)


@pytest.fixture
def server() -> Iterator[tuple[str, Recorder]]:
    recorder = Recorder()
    httpd = make_server("127.0.0.1", 0, recorder, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", recorder
    httpd.shutdown()
    thread.join(timeout=10)


def _calls(client: EngineClient) -> list[Any]:
    """Every method of the interface once, with what it returned."""
    body = {"settings": {"number_of_shards": 1}, "mappings": {"_meta": {"last_seq": 0}}}
    return [
        client.alias_exists("catalogue"),
        client.alias_exists("nothing"),
        client.create_index("catalogue-1", body, alias="catalogue"),
        client.alias_indices("catalogue"),
        client.mapping_meta("catalogue"),
        client.put_meta("catalogue-1", {"last_seq": 9}),
        client.bulk([{"_op_type": "index", "_index": "catalogue-1", "_id": "a", "_source": {"x": 1}},
                     {"_op_type": "delete", "_index": "catalogue-1", "_id": "b"}]),
        client.refresh("catalogue-1"),
        client.indices_matching("catalogue-*"),
        client.delete_index("catalogue-1"),
        client.update_aliases([{"add": {"index": "catalogue-1", "alias": "catalogue"}}]),
        client.count("catalogue"),
        client.get_source("catalogue", "r1", ["record"]),
        client.get_source("catalogue", "r2", ["record"]),
        client.search("catalogue", {"query": {"match_all": {}}, "size": 1}),
    ]


@pytest.mark.parametrize("adapter", [ElasticsearchClient, OpenSearchClient])
def test_each_call_is_the_documented_rest_request(
    server: tuple[str, Recorder], adapter: type[ElasticsearchClient | OpenSearchClient]
) -> None:
    url, recorder = server
    client = adapter(url)
    results = _calls(client)
    assert results == [
        True, False, None, ["catalogue-1", "catalogue-2"], {"catalogue-1": {"last_seq": 4}}, None,
        (1, [{"delete": {"_index": "catalogue-1", "_id": "b", "status": 404,
                         "result": "not_found"}}]),
        None, ["catalogue-1", "catalogue-2"], None, None, 7, {"record": {"id": "r1"}}, None,
        {"hits": {"total": {"value": 0}, "hits": []}},
    ]
    seen = [(m, p) for m, p, _, _ in recorder.requests]
    assert all((m, p) in ROUTES for m, p in seen), seen
    by_path = {(m, p): (args, body) for m, p, args, body in recorder.requests}
    create = by_path[("PUT", "/catalogue-1")][1]
    assert create == {"settings": {"number_of_shards": 1}, "mappings": {"_meta": {"last_seq": 0}},
                      "aliases": {"catalogue": {}}}
    assert by_path[("PUT", "/catalogue-1/_mapping")][1] == {"_meta": {"last_seq": 9}}
    assert by_path[("POST", "/_bulk")][1] == [
        {"index": {"_index": "catalogue-1", "_id": "a"}}, {"x": 1},
        {"delete": {"_index": "catalogue-1", "_id": "b"}}]
    assert by_path[("POST", "/_aliases")][1] == {
        "actions": [{"add": {"index": "catalogue-1", "alias": "catalogue"}}]}
    assert by_path[("GET", "/catalogue/_doc/r1")][0] == {"_source_includes": "record"}
    assert by_path[("DELETE", "/catalogue-1")][0] == {"ignore_unavailable": "true"}
    assert by_path[("GET", "/catalogue-*")][0] == {"allow_no_indices": "true",
                                                    "ignore_unavailable": "true"}
    assert by_path[("POST", "/catalogue/_search")][1] == {"query": {"match_all": {}}, "size": 1}
    with pytest.raises(Refused, match="already_exists"):
        client.create_index("taken", {"settings": {}, "mappings": {}})
    with pytest.raises(NotFound):
        client.put_meta("nowhere", {})
    client.close()


def test_the_engine_comes_from_get_root_or_the_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = {"opensearch": {"version": {"distribution": "opensearch", "number": "2.19.6"}},
               "elasticsearch": {"version": {"number": "9.1.0", "build_flavor": "default"}}}
    for engine, root in answers.items():
        recorder = Recorder()
        ROUTES[("GET", "/")] = (200, root)
        httpd = make_server("127.0.0.1", 0, recorder)
        thread = threading.Thread(target=httpd.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{httpd.server_port}"
        try:
            monkeypatch.delenv(ENGINE_SETTING, raising=False)
            assert detect_engine(url) == engine
            assert connect(url).engine == engine
            other = "elasticsearch" if engine == "opensearch" else "opensearch"
            monkeypatch.setenv(ENGINE_SETTING, other)
            assert connect(url).engine == other  # the setting wins, no GET / then
            assert [r[:2] for r in recorder.requests] == [("GET", "/"), ("GET", "/")]
        finally:
            httpd.shutdown()
            thread.join(timeout=10)
    del ROUTES[("GET", "/")]
    monkeypatch.setenv(ENGINE_SETTING, "solr")
    with pytest.raises(ValueError, match="CATALOGUE_SEARCH_ENGINE"):
        connect("http://127.0.0.1:9")
    monkeypatch.delenv(ENGINE_SETTING)
    with pytest.raises(EngineError) as err:
        detect_engine("http://user:secret@127.0.0.1:9", timeout=2)
    assert "secret" not in str(err.value)
