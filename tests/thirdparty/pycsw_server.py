"""Run pycsw 2.6 (a real CSW server, from PyPI) on loopback over a SQLite repository.

This script runs in pycsw's own interpreter (``.venv-pycsw``: pycsw 2.6 needs SQLAlchemy 1.4,
the catalogue needs 2.x), so it imports nothing from the project.

    pycsw_server.py serve DB PORT_FILE      create the repository if needed, serve on 127.0.0.1
    pycsw_server.py load DB XML_DIR         insert or update the records of XML_DIR (one
                                            MD_Metadata per file), as ``pycsw-admin load_records``
    pycsw_server.py delete DB IDENTIFIER    delete one record
"""

from __future__ import annotations

import configparser
import os
import sys
import tempfile
from wsgiref.simple_server import WSGIRequestHandler, make_server

TABLE = "records"


def _config(db: str) -> str:
    """A pycsw configuration file for ``db`` (ISO Application Profile on, manager off)."""
    cfg = configparser.ConfigParser(interpolation=None)
    cfg["server"] = {
        "home": os.path.dirname(os.path.abspath(__file__)),
        "url": "http://127.0.0.1/csw",
        "mimetype": "application/xml; charset=UTF-8",
        "encoding": "UTF-8",
        "language": "en-US",
        "maxrecords": "10",
        "pretty_print": "true",
        "profiles": "apiso",
    }
    cfg["manager"] = {"transactions": "false", "allowed_ips": "127.0.0.1"}
    cfg["metadata:main"] = {
        "identification_title": "pycsw test catalogue",
        "identification_abstract": "loopback test server",
        "identification_keywords": "test",
        "identification_keywords_type": "theme",
        "identification_fees": "None",
        "identification_accessconstraints": "None",
        "provider_name": "test",
        "provider_url": "http://127.0.0.1/",
        "contact_name": "test",
        "contact_position": "test",
        "contact_address": "-",
        "contact_city": "-",
        "contact_stateorprovince": "-",
        "contact_postalcode": "-",
        "contact_country": "FR",
        "contact_phone": "-",
        "contact_fax": "-",
        "contact_email": "test@example.org",
        "contact_url": "http://127.0.0.1/",
        "contact_hours": "-",
        "contact_instructions": "-",
        "contact_role": "pointOfContact",
    }
    cfg["repository"] = {"database": f"sqlite:///{os.path.abspath(db)}", "table": TABLE}
    cfg["metadata:inspire"] = {"enabled": "false"}
    fd, path = tempfile.mkstemp(suffix=".cfg", prefix="pycsw-")
    with os.fdopen(fd, "w") as handle:
        cfg.write(handle)
    return path


def _context():  # type: ignore[no-untyped-def]
    from pycsw.core import config

    return config.StaticContext()


def setup(db: str) -> None:
    from pycsw.core import admin

    if not os.path.exists(db):
        admin.setup_db(f"sqlite:///{os.path.abspath(db)}", TABLE, os.path.dirname(db) or ".")


def load(db: str, xml_dir: str) -> None:
    from pycsw.core import admin

    setup(db)
    loaded = admin.load_records(_context(), f"sqlite:///{os.path.abspath(db)}", TABLE, xml_dir,
                                force_update=True)
    print(f"loaded {len(loaded)} file(s)")


def delete(db: str, identifier: str) -> None:
    from pycsw.core import repository

    repo = repository.Repository(f"sqlite:///{os.path.abspath(db)}", _context(), table=TABLE)
    repo.delete({"type": "filter", "where": "identifier = :pvalue0",
                 "values": [identifier]})


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


def serve(db: str, port_file: str) -> None:
    setup(db)
    os.environ["PYCSW_CONFIG"] = _config(db)
    from pycsw.wsgi import application

    def app(environ, start_response):  # type: ignore[no-untyped-def]
        with open(os.devnull, "w") as null:  # pycsw's wsgi prints every PATH_INFO
            saved, sys.stdout = sys.stdout, null
            try:
                return application(environ, start_response)
            finally:
                sys.stdout = saved

    httpd = make_server("127.0.0.1", 0, app, handler_class=_Quiet)
    with open(port_file + ".tmp", "w") as handle:
        handle.write(str(httpd.server_port))
    os.replace(port_file + ".tmp", port_file)
    httpd.serve_forever()


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    {"serve": serve, "load": load, "delete": delete}[command](*args)
