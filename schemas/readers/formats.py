"""Imports every built-in reader module so that its ``@reader`` registrations run.

``schemas.readers.read`` imports this module once; adding a format means adding its import here.
"""

from schemas.readers import dcat, iso19139, jalons, lom, oai_dc, rss, udata

__all__ = ["dcat", "iso19139", "jalons", "lom", "oai_dc", "rss", "udata"]
