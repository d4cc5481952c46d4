"""A local stand-in for the public company register (same JSON format), and one that hangs."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from tests.factories import valid_siret

REGISTER_SIRET = valid_siret(4242)


def register_payload(siret: str) -> dict:
    return {
        "results": [
            {
                "siren": siret[:9],
                "nom_complet": "DECOLLETAGE DU MONT-BLANC",
                "siege": {
                    "siret": siret,
                    "adresse": "12 RUE DES ARTISANS 74300 CLUSES",
                    "code_postal": "74300",
                    "libelle_commune": "CLUSES",
                    "activite_principale": "25.62B",
                    "tranche_effectif_salarie": "12",
                },
                "matching_etablissements": [],
            }
        ],
        "total_results": 1,
    }


class _Answering(BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        query = parse_qs(urlparse(self.path).query).get("q", [""])[0]
        body = json.dumps(
            register_payload(query) if urlparse(self.path).path == "/search" else {}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _Hanging(BaseHTTPRequestHandler):
    """Accepts the connection, then never answers (until the test ends)."""

    released = threading.Event()

    def do_GET(self):  # noqa: N802
        self.released.wait(10)

    def log_message(self, *args):
        pass


def _serve(handler):
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server


@pytest.fixture
def company_register(settings):
    server = _serve(_Answering)
    settings.COMPANY_REGISTER_URL = f"http://127.0.0.1:{server.server_port}"
    settings.COMPANY_REGISTER_TIMEOUT = 2.0
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def silent_register(settings):
    server = _serve(_Hanging)
    settings.COMPANY_REGISTER_URL = f"http://127.0.0.1:{server.server_port}"
    settings.COMPANY_REGISTER_TIMEOUT = 0.5
    _Hanging.released.clear()
    yield server
    _Hanging.released.set()
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _no_real_register(settings):
    """Never call the real government API from tests: a closed local port by default."""
    settings.COMPANY_REGISTER_URL = "http://127.0.0.1:9"
    settings.COMPANY_REGISTER_TIMEOUT = 0.5
