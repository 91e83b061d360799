"""Server logs keep no full client IP (issue 21, RGPD): the formatter truncates `remote`."""

import json
import logging

from web.logs import JsonFormatter, truncate_ip


def test_ipv4_cut_to_24_and_ipv6_to_48() -> None:
    assert truncate_ip("203.0.113.77") == "203.0.113.0/24"
    assert truncate_ip("2001:db8:abcd:12:1:2:3:4") == "2001:db8:abcd::/48"
    assert truncate_ip("not an ip") is None
    assert truncate_ip(None) is None


def test_formatter_never_writes_the_full_address() -> None:
    record = logging.LogRecord("web", logging.INFO, __file__, 1, "request", None, None)
    record.remote = "198.51.100.23"
    line = JsonFormatter().format(record)
    assert "198.51.100.23" not in line
    assert json.loads(line)["remote"] == "198.51.100.0/24"
