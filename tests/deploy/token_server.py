#!/usr/bin/env python3
"""A test token server for the registry's bearer-token flow (tests/suites/deploy.sh).

docker-registry (auth: token) answers 401 with `WWW-Authenticate: Bearer
realm=...,service=...,scope=...`; the client fetches a JWT here. Checks HTTP
basic credentials USER:PASS, grants the requested repository actions, and
signs an RS256 JWT with KEY (openssl), certificate CERT in its x5c header.
usage: token_server.py PORT USER PASS KEY CERT ISSUER SERVICE
"""
import base64, json, subprocess, sys, time, urllib.parse
from http.server import BaseHTTPRequestHandler, HTTPServer

port, user, password, key, cert, issuer, service = sys.argv[1:8]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], capture_output=True, check=True).stdout


def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def token(scopes):
    access = []
    for s in scopes:
        parts = s.split(":")
        if len(parts) == 3:
            access.append({"type": parts[0], "name": parts[1], "actions": parts[2].split(",")})
    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "x5c": [base64.b64encode(der).decode()]}
    claims = {"iss": issuer, "sub": user, "aud": service, "exp": now + 300, "nbf": now - 10, "iat": now,
              "jti": str(now), "access": access}
    signing = b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(claims).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing.encode(),
                         capture_output=True, check=True).stdout
    return signing + "." + b64u(sig)


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        want = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
        if self.headers.get("Authorization") != want:
            self.send_response(401)
            self.end_headers()
            return
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        body = json.dumps({"token": token(q.get("scope", []))}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("127.0.0.1", int(port)), H).serve_forever()
