"""Sits in front of moto server: Lambda Invoke calls go to our real function binaries (served by
`cargo lambda watch --only-lambda-apis`), everything else to moto.

moto's Step Functions engine calls the other services at localhost:$MOTO_PORT, so moto is
started with MOTO_PORT set to this router's port. Standard library only.
"""

import http.client
import re
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LISTEN_PORT, MOTO_PORT, LAMBDA_PORT = (int(a) for a in sys.argv[1:4])
INVOKE = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations")
HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


def function_name(raw):
    """`arn:aws:lambda:...:function:stack-spider:$LATEST` -> `spider` (our binary names)."""
    name = urllib.parse.unquote(raw)
    if ":function:" in name:
        name = name.split(":function:", 1)[1]
    name = name.split(":", 1)[0]
    return name.rsplit("-", 1)[-1]


class Router(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def forward(self):
        body = self.body()
        m = INVOKE.match(self.path)
        if m and self.command == "POST":
            port = LAMBDA_PORT
            path = "/2015-03-31/functions/%s/invocations" % function_name(m.group(1))
        else:
            port, path = MOTO_PORT, self.path
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        headers["Host"] = self.headers.get("Host", "127.0.0.1:%d" % port)
        headers["Content-Length"] = str(len(body))
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
        try:
            conn.request(self.command, path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
        except OSError as e:
            data = ('{"message": "router: %s unreachable: %s"}' % (port, e)).encode()
            self.send_response(502)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        finally:
            conn.close()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in HOP:
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = forward


if __name__ == "__main__":
    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer(("127.0.0.1", LISTEN_PORT), Router).serve_forever()
