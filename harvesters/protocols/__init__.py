"""Built-in protocol clients; importing this package registers every one of them."""

from harvesters.protocols import csw, dcat, jalons, oai_pmh, rss, udata

__all__ = ["csw", "dcat", "jalons", "oai_pmh", "rss", "udata"]
