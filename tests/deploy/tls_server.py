#!/usr/bin/env python3
"""A loopback HTTPS file server for tests/suites/deploy.sh: the image's
outbound HTTPS (libcurl and OpenSSL linked into the binary) is checked
against it. Serves DIR over TLS with CERT/KEY on a free port and prints
the port on its first line.
usage: tls_server.py DIR CERT KEY
"""
import functools, http.server, ssl, sys

directory, cert, key = sys.argv[1:4]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
server = http.server.HTTPServer(("127.0.0.1", 0), handler)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
server.socket = ctx.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
