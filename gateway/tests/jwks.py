"""A real HTTP JWKS endpoint whose key set can be rotated (as an OIDC issuer would)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa


class JWKSServer:
    def __init__(self) -> None:
        self.keys: dict[str, rsa.RSAPrivateKey] = {}
        self.fetches = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.fetches += 1
                keys = [
                    {
                        **json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(k.public_key())),
                        "kid": kid,
                        "alg": "RS256",
                    }
                    for kid, k in server.keys.items()
                ]
                body = json.dumps({"keys": keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.httpd = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/jwks.json"

    def rotate(self, kid: str) -> rsa.RSAPrivateKey:
        self.keys = {kid: rsa.generate_private_key(public_exponent=65537, key_size=2048)}
        return self.keys[kid]

    def close(self) -> None:
        self.httpd.shutdown()
