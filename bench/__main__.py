"""``python -m bench --records N [--json FILE]``: the catalogue's benchmarks (issue 10).

Stages, in this order (``--stages`` picks some; later stages reuse the data dir of a previous
run with the same ``--records``):

1. ``harvest``: generate the corpus as OAI-PMH oai_dc feeds (:mod:`bench.feed`, own process),
   harvest every partner through ``Pipeline.harvest`` and sync the tantivy index.
2. ``search``: the query mix in-process against the index.
3. ``http``: start ``catalogue serve`` (gunicorn, 2 workers): cold start, the query mix over
   ``/api/v1/resources``, API throughput under concurrent load, then a full ListRecords oai_dc
   traversal with the server's memory sampled.
4. ``peer``: the same records behind the ``oaipmh`` package's ``BatchingServer`` (gunicorn, 2
   workers), the same traversal.
With ``--search-url URL`` (an Elasticsearch/OpenSearch node, e.g. ``make opensearch``), the
``engines`` stage follows the harvest: tantivy and the node are both rebuilt from the store
(build rate, memory), and ``search`` and ``http`` run their query mix on both (:mod:`bench.engines`).

5. ``incremental``: publish generation 2 of the feeds (1 % changed, 0.1 % deleted) and harvest
   again incrementally (OAI ``from``), then sync.

Results: the JSON (``--json``) and a markdown table beside it (same name, ``.md``). Nothing is
asserted: targets are reported as met or missed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import report
from bench.corpus import SEED, Corpus
from bench.harvest import FeedProcess, partner_labels, run_harvest, sources_for
from bench.queries import build_queries

STAGES = ("harvest", "engines", "search", "http", "peer", "incremental")
DEFAULT_STAGES = tuple(s for s in STAGES if s != "engines")  # engines: with --search-url


def log(message: str) -> None:
    sys.stderr.write(f"{datetime.now().strftime('%H:%M:%S')} bench: {message}\n")
    sys.stderr.flush()


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, required=True, help="corpus size")
    parser.add_argument("--json", type=Path, default=None,
                        help="results file (default var/bench/results-N.json); a .md is written beside")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="store and index of the run (default var/bench/data-N)")
    parser.add_argument("--search-url", default=None, metavar="URL",
                        help="also measure this Elasticsearch/OpenSearch node (engines stage, "
                             "then search and http on both engines)")
    parser.add_argument("--stages", default=None,
                        help=f"comma-separated, among {', '.join(STAGES)}")
    parser.add_argument("--page-size", type=int, default=100, help="feed page size (OAI)")
    parser.add_argument("--harvest-workers", type=int, default=1,
                        help="mapping worker processes, as `catalogue harvest` uses on 2+ cores "
                             "(0: map in-process, which gives the full per-stage split)")
    parser.add_argument("--api-clients", type=int, default=8)
    parser.add_argument("--api-seconds", type=float, default=20.0)
    parser.add_argument("--api-max-requests", type=int, default=20_000)
    parser.add_argument("--peer-memory-share", type=float, default=0.5,
                        help="skip the oaipmh peer if its estimated memory exceeds this share of "
                             "the available memory")
    parser.add_argument("--profile", type=Path, default=None, metavar="DIR",
                        help="run the harvest and the in-process search under cProfile and write "
                             "DIR/harvest.pstats, DIR/search.pstats (figures are then slower)")
    args = parser.parse_args(argv)
    default = STAGES if args.search_url else DEFAULT_STAGES
    stages = [s.strip() for s in (args.stages or ",".join(default)).split(",") if s.strip()]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        parser.error(f"unknown stage(s): {', '.join(unknown)}")
    args.stage_list = [s for s in STAGES if s in stages]
    if "engines" in args.stage_list and not args.search_url:
        parser.error("the engines stage needs --search-url")
    args.json = args.json or Path(f"var/bench/results-{args.records}.json")
    args.data_dir = (args.data_dir or Path(f"var/bench/data-{args.records}")).resolve()
    return args


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.corpus = Corpus(args.records, args.seed)
        self.data_dir: Path = args.data_dir
        self.store_url = f"sqlite:///{self.data_dir / 'catalogue.db'}"
        # As `catalogue harvest` with this data dir: the compiled vocabulary cache lands in
        # data_dir/cache, where `catalogue serve` looks for it (else its first request compiles it).
        os.environ["CATALOGUE_DATA_DIR"] = str(self.data_dir)
        os.environ.pop("CATALOGUE_CACHE_DIR", None)
        self.logs = self.data_dir.parent / f"logs-{args.records}"
        self.results: dict[str, Any] = self._previous()
        self.results.update(
            records=args.records, seed=args.seed, machine=report.machine(),
            command="python -m bench " + " ".join(sys.argv[1:]) if sys.argv[1:] else "python -m bench",
            stages=sorted(set(self.results.get("stages", [])) | set(args.stage_list),
                          key=STAGES.index),
        )
        self.queries = build_queries()
        self._feed: FeedProcess | None = None

    def _previous(self) -> dict[str, Any]:
        """Figures of an earlier run at the same size (kept when only some stages run again)."""
        path: Path = self.args.json
        if "harvest" in self.args.stage_list or not path.exists():
            return {}
        previous: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return previous if previous.get("records") == self.args.records else {}

    def feed(self) -> FeedProcess:
        if self._feed is None:
            self._feed = FeedProcess(self.corpus, self.logs / "feed.log", self.args.page_size)
        return self._feed

    def close(self) -> None:
        if self._feed is not None:
            self._feed.stop()
            self._feed = None

    def save(self) -> None:
        self.results["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        md = report.write(self.results, self.args.json)
        log(f"results in {self.args.json} and {md}")

    # -- stages -------------------------------------------------------------------------------

    def harvest(self) -> None:
        if self.data_dir.exists():
            shutil.rmtree(self.data_dir)
        self.data_dir.mkdir(parents=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        feed = self.feed()
        log(f"harvesting {self.args.records:,} records from {feed.base_url}")
        profile = self.args.profile / "harvest.pstats" if self.args.profile else None
        result = run_harvest(self.store_url, self.data_dir, sources_for(self.corpus, feed.base_url),
                             partner_labels(self.corpus), full=False, profile=profile,
                             workers=self.args.harvest_workers)
        self.results["harvest"] = result
        self.results["harvest_records_per_s"] = result["records_per_s"]
        self.results["harvest_peak_rss_mb"] = result["peak_rss_mb"]
        log(f"harvest: {result['records_per_s']} records/s ({result['seconds']} s), "
            f"counts {result['counts']}")

    def engines(self) -> None:
        from bench.engines import build_both

        self._require_data()
        log(f"rebuilding tantivy and the node at {self.args.search_url} from the store")
        built = build_both(self.args.search_url, self.store_url, self.data_dir, self.args.records,
                           partner_labels(self.corpus))
        self.results["engines"] = {side: {"build": figures} for side, figures in built.items()}
        log(f"engines: {built}")

    def _engine(self, side: str) -> dict[str, Any]:
        engines: dict[str, Any] = self.results.setdefault("engines", {})
        figures: dict[str, Any] = engines.setdefault(side, {})
        return figures

    def _require_data(self) -> None:
        if not (self.data_dir / "catalogue.db").exists():
            raise SystemExit(f"no store in {self.data_dir}: run the harvest stage first")

    def search(self) -> None:
        from search.tantivy_index import TantivyIndex

        self._require_data()
        from bench.search import in_process

        index = TantivyIndex(self.data_dir / "index", partner_labels=partner_labels(self.corpus))
        profiler = None
        if self.args.profile:
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        result = in_process(index, self.queries)
        if profiler is not None:
            profiler.disable()
            profiler.dump_stats(str(self.args.profile / "search.pstats"))
        index.close()
        self.results["search"] = result
        self.results["search_ms"] = {k: result["ms"][k] for k in ("p50", "p95", "p99")}
        log(f"search in-process: {result['ms']}")
        if self.args.search_url:
            from bench.engines import open_engine

            self._engine("tantivy")["search_ms"] = self.results["search_ms"]
            engine = open_engine(self.args.search_url, self.args.records, partner_labels(self.corpus))
            try:
                on_engine = in_process(engine, self.queries)
            finally:
                engine.close()
            self._engine("engine")["search_ms"] = {k: on_engine["ms"][k] for k in ("p50", "p95", "p99")}
            for side, figures in (("tantivy", result), ("engine", on_engine)):  # same corpus?
                self._engine(side)["median_total"] = figures["median_total"]
                self._engine(side)["zero_result_share"] = figures["zero_result_share"]
            log(f"search in-process on the node: {on_engine['ms']}")

    def http(self) -> None:
        from bench.search import load, over_http
        from bench.servers import start_catalogue, traverse_measured

        self._require_data()
        self.logs.mkdir(parents=True, exist_ok=True)
        served = start_catalogue(self.data_dir, self.logs / "serve.log")
        try:
            cold = served.wait_for("/api/v1/resources?q=eau")
            self.results["serve_cold_start_s"] = round(cold, 3)
            log(f"catalogue serve answered its first search after {cold:.2f} s")
            result = over_http(served.base_url, self.queries)
            self.results["search_http"] = result
            self.results["search_http_ms"] = {k: result["ms"][k] for k in ("p50", "p95", "p99")}
            log(f"search over HTTP: {result['ms']}")
            api = load(served.base_url, self.queries, clients=self.args.api_clients,
                       seconds=self.args.api_seconds, max_requests=self.args.api_max_requests)
            self.results["api"] = api
            self.results["api_requests_per_s"] = api["requests_per_s"]
            self.results["api_ms"] = {k: api["ms"].get(k) for k in ("p50", "p95", "p99")}
            log(f"API under load: {api['requests_per_s']} req/s, {api['ms']}, errors {api['errors']}")
        finally:
            served.stop()
        if self.args.search_url:
            self._http_on_engine()
        # A fresh server for OAI-PMH, so that its memory is OAI's, not what searches left mapped.
        served = start_catalogue(self.data_dir, self.logs / "serve-oai.log")
        try:
            served.wait_for("/oai?verb=Identify")
            oai = traverse_measured(served, "/oai")
            self.results["oai"] = oai
            self.results["oai_records_per_s"] = oai["records_per_s"]
            self.results["oai_server_max_rss_mb"] = oai["server_peak_rss_mb"]
            log(f"OAI-PMH: {oai}")
        finally:
            served.stop()
        self._ratios()

    def _http_on_engine(self) -> None:
        """The same HTTP figures with `catalogue serve` searching the node."""
        from bench.engines import engine_alias
        from bench.search import load, over_http
        from bench.servers import start_catalogue

        for key in ("search_http_ms", "api_requests_per_s", "api_ms"):
            self._engine("tantivy")[key] = self.results[key]
        served = start_catalogue(self.data_dir, self.logs / "serve-engine.log", extra_env={
            "CATALOGUE_SEARCH_URL": self.args.search_url,
            "CATALOGUE_SEARCH_INDEX": engine_alias(self.args.records)})
        try:
            served.wait_for("/api/v1/resources?q=eau")
            result = over_http(served.base_url, self.queries)
            figures = self._engine("engine")
            figures["search_http_ms"] = {k: result["ms"][k] for k in ("p50", "p95", "p99")}
            api = load(served.base_url, self.queries, clients=self.args.api_clients,
                       seconds=self.args.api_seconds, max_requests=self.args.api_max_requests)
            figures["api_requests_per_s"] = api["requests_per_s"]
            figures["api_ms"] = {k: api["ms"].get(k) for k in ("p50", "p95", "p99")}
            log(f"on the node: over HTTP {result['ms']}, under load {api['requests_per_s']} req/s")
        finally:
            served.stop()

    def peer(self) -> None:
        from bench.servers import start_peer, traverse_measured

        self._require_data()
        self.logs.mkdir(parents=True, exist_ok=True)
        # The peer keeps every record in Python objects in the master and, as pages are served,
        # in copy-on-write copies in both workers: about 24 KB per record summed (measured at
        # 100,000). Never take the memory other people on the machine are using.
        needed_gb = self.args.records * 24e3 / 1e9
        available_gb = _available_gb()
        if needed_gb > self.args.peer_memory_share * available_gb:
            self.results["oai_peer"] = {"skipped": f"would need about {needed_gb:.0f} GB, "
                                        f"{available_gb:.0f} GB available"}
            log(f"oaipmh peer skipped: {self.results['oai_peer']['skipped']}")
            return
        log("loading the oaipmh peer server")
        served, loaded = start_peer(self.store_url, self.logs / "peer.log")
        try:
            served.wait_for("/oai?verb=Identify")
            result = traverse_measured(served, "/oai")
            result.update(loaded)
            self.results["oai_peer"] = result
            log(f"oaipmh peer: {result}")
        finally:
            served.stop()
        self._ratios()

    def profiles(self) -> None:
        """Web paths profiled in-process, then every profile summarised into the results."""
        from bench.profiling import summarise
        from bench.webprofile import profile_web

        out: Path = self.args.profile
        if "http" in self.args.stage_list:
            self.results["profile_web"] = profile_web(self.data_dir, out, self.queries)
        self.results["profiles"] = {path.stem: summarise(str(path), top=15)
                                    for path in sorted(out.glob("*.pstats"))}
        log(f"profiles in {out} (python -m bench.profiling FILE to read one)")

    def _ratios(self) -> None:
        ours, peer = self.results.get("oai"), self.results.get("oai_peer")
        if ours and peer and peer.get("records_per_s") and peer.get("server_peak_pss_mb"):
            self.results["oai_peer_ratio"] = round(ours["records_per_s"] / peer["records_per_s"], 3)
            self.results["oai_peer_memory_ratio"] = round(
                ours["server_peak_pss_mb"] / peer["server_peak_pss_mb"], 3)

    def incremental(self) -> None:
        self._require_data()
        self.logs.mkdir(parents=True, exist_ok=True)
        feed = self.feed()
        stamp = feed.publish_generation_2()
        log(f"generation 2 published at {stamp}; incremental harvest")
        time.sleep(1.0)  # the new datestamps are strictly in the past when the harvest starts
        result = run_harvest(self.store_url, self.data_dir, sources_for(self.corpus, feed.base_url),
                             partner_labels(self.corpus), full=False,
                             workers=self.args.harvest_workers)
        changed, deleted = self.corpus.expected_changes()
        result["expected"] = {"updated": changed, "deleted": deleted}
        result["counts_as_expected"] = (result["counts"].get("updated") == changed
                                        and result["counts"].get("deleted") == deleted)
        self.results["reharvest"] = result
        full = (self.results.get("harvest") or {}).get("seconds")
        if full:
            self.results["reharvest_ratio"] = round(result["seconds"] / full, 4)
        log(f"incremental: {result['seconds']} s, counts {result['counts']}, expected {changed} "
            f"updated and {deleted} deleted")


def _available_gb() -> float:
    with open("/proc/meminfo", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # run the finally blocks: stop the feed and the servers


def main(argv: list[str] | None = None) -> None:
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    saved = {k: os.environ.get(k) for k in ("CATALOGUE_DATA_DIR", "CATALOGUE_CACHE_DIR")}
    try:
        _main(parse_args(argv))
    finally:
        signal.signal(signal.SIGTERM, previous)
        for key, value in saved.items():  # the caller (e.g. a test run) gets its environment back
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _main(args: argparse.Namespace) -> None:
    run = Run(args)
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)
    log(f"{args.records:,} records, stages {', '.join(args.stage_list)}, data in {run.data_dir}")
    started = time.perf_counter()
    try:
        for stage in args.stage_list:
            t0 = time.perf_counter()
            getattr(run, stage)()
            run.results.setdefault("stage_seconds", {})[stage] = round(time.perf_counter() - t0, 1)
            # Other processes on the machine skew every figure: keep the load they added.
            run.results.setdefault("load_average_1min", {})[stage] = round(os.getloadavg()[0], 2)
            run.save()  # after each stage: a long run killed later keeps what it measured
        if args.profile:
            run.profiles()
    finally:
        run.close()
    run.results["bench_seconds"] = round(time.perf_counter() - started, 1)
    run.save()
    sys.stdout.write(report.markdown(run.results))


if __name__ == "__main__":
    main()
