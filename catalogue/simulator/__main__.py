"""``python -m catalogue.simulator --port P``: serve the recorded partners until Ctrl-C."""

from __future__ import annotations

import argparse

from catalogue.simulator import Simulator


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m catalogue.simulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--oai-page-size", type=int, default=30)
    parser.add_argument("--csw-page-size", type=int, default=2)
    parser.add_argument("--no-gzip", action="store_true", help="never compress responses")
    args = parser.parse_args(argv)
    sim = Simulator(args.host, args.port, oai_page_size=args.oai_page_size,
                    csw_page_size=args.csw_page_size, gzip_responses=not args.no_gzip)
    base = sim.start()
    print(f"catalogue partner simulator on {base}", flush=True)
    for name, url in sim.endpoints().items():
        print(f"  {name:26} {url}", flush=True)
    sim.serve_forever()


if __name__ == "__main__":
    main()
