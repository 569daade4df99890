"""A tiny picture server on 127.0.0.1 for avatar tests: serves the bodies it is
given by path (404 otherwise) and records every path requested."""

from __future__ import annotations

import contextlib
import http.server
import threading
from collections.abc import Iterator


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the stdlib's name)
        self.server.paths.append(self.path)
        body = self.server.files.get(self.path, self.server.default)
        if body is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args):  # quiet: failures show in the test, not access logs
        pass


@contextlib.contextmanager
def image_server(
    files: dict[str, bytes] | None = None, *, default: bytes | None = None
) -> Iterator[tuple[http.server.ThreadingHTTPServer, str]]:
    """Yield (server, base URL); ``server.paths`` lists the requests, ``default`` is
    served for any path not in ``files``."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    httpd.paths = []
    httpd.files = dict(files or {})
    httpd.default = default
    thread = threading.Thread(target=httpd.serve_forever, name="avatar-test-server")
    thread.start()
    try:
        yield httpd, f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
