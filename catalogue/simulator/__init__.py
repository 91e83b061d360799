"""Partner simulator: recorded BnF, IGN, Météo-France and INA endpoints over local HTTP.

``Simulator().start()`` returns the base URL; :func:`source_specs` gives a ready ``SourceSpec``
for every endpoint (the URL paths and protocol options a source needs).
"""

from __future__ import annotations

from catalogue.simulator.faults import Fault, FaultRegistry
from catalogue.simulator.server import ENDPOINTS, Simulator
from catalogue.simulator.wire import SimRequest, SimResponse
from harvesters.base import SourceSpec

__all__ = [
    "ENDPOINTS",
    "Fault",
    "FaultRegistry",
    "SimRequest",
    "SimResponse",
    "Simulator",
    "source_specs",
]

# Source id → (endpoint name, protocol, options) for the simulator's endpoints.
SOURCE_OPTIONS: dict[str, tuple[str, str, dict[str, object]]] = {
    "sim-bnf-oai": ("bnf-oai", "oai-pmh", {"metadata_prefix": "oai_dc", "set": "gallica"}),
    "sim-ign-csw": ("ign-csw", "csw", {"page_size": 2}),
    "sim-meteofrance-udata": ("meteofrance-udata", "udata", {"page_size": 4}),
    "sim-meteofrance-dcat": ("meteofrance-dcat-jsonld", "dcat", {}),
    "sim-meteofrance-dcat-ttl": ("meteofrance-dcat-turtle", "dcat", {}),
    "sim-vanves-dcat": ("vanves-dcat-rdfxml", "dcat", {}),
    "sim-ina-jalons": ("ina-jalons", "jalons", {"page_size": 3}),
    "sim-ina-rss": ("ina-rss", "rss", {}),
    "sim-ina-atom": ("ina-atom", "rss", {}),
}


def source_specs(base_url: str) -> list[SourceSpec]:
    """One SourceSpec per simulated endpoint, for a simulator listening at ``base_url``."""
    base = base_url.rstrip("/")
    return [
        SourceSpec(id=source_id, url=base + ENDPOINTS[endpoint], protocol=protocol,
                   options=dict(options))
        for source_id, (endpoint, protocol, options) in SOURCE_OPTIONS.items()
    ]
