"""HTTP server for the test-bed portal network (:mod:`harvester.testbed.portals`).

One ``ThreadingHTTPServer`` per loopback address, all on the same port, so host-based scope and
per-host politeness are real. Stdlib threads rather than Twisted: the server must run beside a
Scrapy crawl that owns the (asyncio) reactor, either in the same process (:func:`serve`) or, more
robustly, in a child process (:func:`start_testbed`, ``python -m harvester.testbed.server``).

Every request is recorded (time, client, method, host, path, status, bytes, User-Agent,
If-None-Match, If-Modified-Since, Referer) in memory and, optionally, as JSON lines in a file, so
tests can check politeness, robots.txt and scope from the server's own view.

Control endpoints under ``/__testbed__/`` (not logged, not linked): ``GET manifest``,
``GET requests``, ``POST mutate?generation=N``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from harvester.testbed.portals import (
    PORTAL_KEYS,
    Network,
    Options,
    Request,
    Response,
    addresses_for,
    build_network,
    host_keys,
)

CONTROL_PREFIX = "/__testbed__/"


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # a client may still be reading the 60 MB file at shutdown
    request_queue_size = 64

    def __init__(self, address: tuple[str, int], testbed: TestbedServer) -> None:
        self.testbed = testbed
        self.connections: set[socket.socket] = set()  # open keep-alive connections, closed at stop
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def close_connections(self) -> None:
        with self.connections_lock:
            for connection in list(self.connections):
                with contextlib.suppress(OSError):
                    connection.shutdown(socket.SHUT_RDWR)
            self.connections.clear()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: every answer carries Content-Length
    # TCP_NODELAY, as nginx sets on keep-alive connections: headers and body go out in two
    # writes, and with Nagle's algorithm the body waits for the client's delayed ACK (40 ms on
    # Linux) — a stall real portals do not have, which would be charged to every discovery hop.
    disable_nagle_algorithm = True
    server_version = "nginx"
    sys_version = ""
    server: _HTTPServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass  # the request log replaces stderr noise

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):  # the client (or stop()) already closed the socket
            super().finish()

    def do_GET(self) -> None:
        self._handle("GET")

    def do_HEAD(self) -> None:
        self._handle("HEAD")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_PUT(self) -> None:
        self._handle("PUT")

    def do_DELETE(self) -> None:
        self._handle("DELETE")

    def _handle(self, method: str) -> None:
        started = time.time()
        testbed = self.server.testbed
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        form: dict[str, list[str]] = {}
        if raw and "form-urlencoded" in (self.headers.get("Content-Type") or "application/x-www-form-urlencoded"):
            form = parse_qs(raw.decode("utf-8", "replace"), keep_blank_values=True)
        if split.path.startswith(CONTROL_PREFIX):
            self._send(method, testbed.control(method, split.path, parse_qs(split.query)))
            return
        request = Request(
            method=method,
            address=self.server.server_address[0],
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            form=form,
            headers={k.lower(): v for k, v in self.headers.items()},
        )
        try:
            response = testbed.network.handle(request)
        except Exception as error:  # a bug in a route must not kill the connection silently
            response = Response(500, {"Content-Type": "text/plain; charset=utf-8"},
                                f"test-bed error: {error!r}".encode())
        entry = {
            "t": round(started, 4),
            "client": f"{self.client_address[0]}:{self.client_address[1]}",
            "method": method,
            "host": request.address,
            "host_header": self.headers.get("Host"),
            "path": self.path,
            "status": response.status,
            "user_agent": self.headers.get("User-Agent"),
            "if_none_match": self.headers.get("If-None-Match"),
            "if_modified_since": self.headers.get("If-Modified-Since"),
            "referer": self.headers.get("Referer"),
        }
        if response.chunks is None:
            # Logged before the answer leaves: a client that has its response always finds its
            # request in the log (tests read the log as soon as the crawler exits).
            no_body = method == "HEAD" or response.status == 304
            entry.update(bytes=0 if no_body else len(response.body), aborted=False,
                         duration=round(time.time() - started + (response.delay or 0), 4))
            testbed.record(entry)
            self._send(method, response)
            return
        sent, aborted = self._send(method, response)  # streamed: only known once sent
        entry.update(bytes=sent, aborted=aborted, duration=round(time.time() - started, 4))
        testbed.record(entry)

    def _send(self, method: str, response: Response) -> tuple[int, bool]:
        """Write the response; returns (body bytes sent, whether the client went away)."""
        delay = (response.delay or 0) + self.server.testbed.network.options.latency_seconds
        if delay:
            time.sleep(delay)
        headers = dict(response.headers)
        no_body = method == "HEAD" or response.status == 304
        if response.chunks is None and response.status != 304:
            headers.setdefault("Content-Length", str(len(response.body)))
        sent = 0
        try:
            self.send_response(response.status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            if no_body:
                return 0, False
            if response.chunks is not None:
                for chunk in response.chunks():  # streamed: the big file is never in memory
                    self.wfile.write(chunk)
                    sent += len(chunk)
            else:
                self.wfile.write(response.body)
                sent = len(response.body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True
            return sent, True
        return sent, False


class TestbedServer:
    """The running network: servers on every address, the request log, mutation."""

    __test__ = False  # not a pytest test class

    def __init__(self, network: Network, servers: list[_HTTPServer], *, log_path: Path | None,
                 manifest_path: Path | None, portals: tuple[str, ...] | None) -> None:
        self.network = network
        self.port = network.port
        self.servers = servers
        self.log_path = log_path
        self.manifest_path = manifest_path
        self.portals = portals
        self.requests: list[dict[str, Any]] = []
        self._log_lock = threading.Lock()
        self._mutate_lock = threading.Lock()
        self._log_file = log_path.open("a", encoding="utf-8") if log_path else None
        self._threads: list[threading.Thread] = []

    @property
    def addresses(self) -> list[str]:
        return [s.server_address[0] for s in self.servers]

    @property
    def manifest(self) -> dict[str, Any]:
        return self.network.manifest()

    def url(self, address: str, path: str = "/") -> str:
        return self.network.url(address, path)

    def start(self) -> TestbedServer:
        for server in self.servers:
            thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                      name=f"testbed-{server.server_address[0]}", daemon=True)
            thread.start()
            self._threads.append(thread)
        self.write_manifest()
        return self

    def stop(self) -> None:
        stoppers = [threading.Thread(target=s.shutdown) for s in self.servers]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join(5)
        for server in self.servers:
            server.server_close()
            server.close_connections()  # keep-alive clients must not be answered after stop
        with self._log_lock:
            if self._log_file:
                self._log_file.close()
                self._log_file = None

    def __enter__(self) -> TestbedServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def record(self, entry: dict[str, Any]) -> None:
        with self._log_lock:
            self.requests.append(entry)
            if self._log_file:
                self._log_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self._log_file.flush()

    def write_manifest(self) -> None:
        if self.manifest_path:
            tmp = self.manifest_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(self.manifest, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(self.manifest_path)

    def mutate(self, generation: int) -> dict[str, Any]:
        """Switch to another generation (reports added/changed/removed); returns the manifest."""
        with self._mutate_lock:
            old = self.network
            new = build_network(old.port, host_base=old.host_base, seed=old.seed, generation=generation,
                                options=old.options, portals=self.portals)
            new.inherit_counters(old)
            self.network = new
            self.write_manifest()
            return new.manifest()

    def control(self, method: str, path: str, query: dict[str, list[str]]) -> Response:
        name = path[len(CONTROL_PREFIX):]
        if name == "manifest":
            body = json.dumps(self.manifest, ensure_ascii=False).encode()
        elif name == "requests":
            with self._log_lock:
                body = json.dumps(self.requests, ensure_ascii=False).encode()
        elif name == "mutate" and method == "POST":
            try:
                generation = int(query.get("generation", ["1"])[0])
            except ValueError:
                return Response(400, {"Content-Type": "text/plain"}, b"generation must be an integer")
            body = json.dumps(self.mutate(generation), ensure_ascii=False).encode()
        else:
            return Response(404, {"Content-Type": "text/plain"}, b"unknown control endpoint")
        return Response(200, {"Content-Type": "application/json; charset=utf-8"}, body)


def _bind(addresses: Sequence[str], port: int, testbed_placeholder: Any) -> list[_HTTPServer]:
    """Bind every address on one port; with port 0, retry until a free port fits them all."""
    attempts = 1 if port else 40
    last_error: OSError | None = None
    for _ in range(attempts):
        servers: list[_HTTPServer] = []
        try:
            first = _HTTPServer((addresses[0], port), testbed_placeholder)
            servers.append(first)
            chosen = first.server_address[1]
            for address in addresses[1:]:
                servers.append(_HTTPServer((address, chosen), testbed_placeholder))
            return servers
        except OSError as error:
            last_error = error
            for server in servers:
                server.server_close()
    raise OSError(f"cannot bind {', '.join(addresses)} on one port: {last_error}")


def serve(addresses: Iterable[str] | None = None, port: int = 0, *, host_base: str = "127.0.0.11",
          seed: int = 0, generation: int = 0, portals: Sequence[str] | None = None,
          options: Options | None = None, manifest_path: str | Path | None = None,
          log_path: str | Path | None = None) -> TestbedServer:
    """Start the test bed in this process (server threads); returns the running handle.

    ``addresses``: which addresses to listen on (default: every host of the chosen portals plus
    the spam mirror). Call ``.stop()`` (or use it as a context manager) when done.
    """
    chosen = tuple(portals) if portals else None
    if addresses is None:
        keys = host_keys(chosen or PORTAL_KEYS)
        mapping = addresses_for(host_base)
        addresses = [mapping[k] for k in keys]
    addresses = list(addresses)
    holder = _Placeholder()
    servers = _bind(addresses, port, holder)
    network = build_network(servers[0].server_address[1], host_base=host_base, seed=seed,
                            generation=generation, options=options, portals=chosen)
    testbed = TestbedServer(network, servers, log_path=Path(log_path) if log_path else None,
                            manifest_path=Path(manifest_path) if manifest_path else None, portals=chosen)
    for server in servers:
        server.testbed = testbed
    return testbed.start()


class _Placeholder:
    """Stands in for the TestbedServer while binding (the port must be known to build links)."""


# --------------------------------------------------------------------------------------------
# Child-process mode


@dataclass
class Testbed:
    """A test bed running in a child process (see :func:`start_testbed`)."""

    __test__ = False

    port: int
    host_base: str
    manifest_path: Path
    log_path: Path
    process: subprocess.Popen[bytes]
    manifest: dict[str, Any] = field(default_factory=dict)

    def url(self, address: str, path: str = "/") -> str:
        return f"http://{address}:{self.port}{path}"

    def portal(self, key: str) -> dict[str, Any]:
        return next(p for p in self.manifest["portals"] if p["key"] == key)

    def requests(self) -> list[dict[str, Any]]:
        """The request log so far (read from the JSONL file)."""
        entries = []
        if self.log_path.exists():
            for line in self.log_path.read_text(encoding="utf-8").splitlines():
                try:
                    entries.append(json.loads(line))
                except ValueError:  # a line being written right now
                    continue
        return entries

    def mutate(self, generation: int) -> dict[str, Any]:
        address = next(iter(self.manifest["hosts"]))
        request = urllib.request.Request(self.url(address, f"{CONTROL_PREFIX}mutate?generation={generation}"),
                                         data=b"", method="POST")
        with _no_proxy().open(request, timeout=30) as answer:
            self.manifest = json.loads(answer.read())
        return self.manifest

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def __enter__(self) -> Testbed:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _no_proxy() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.ProxyHandler({}))


def start_testbed(directory: str | Path, *, port: int = 0, host_base: str = "127.0.0.11", seed: int = 0,
                  generation: int = 0, portals: Sequence[str] | None = None, slow_seconds: float | None = None,
                  fail_first: int | None = None, big_bytes: int | None = None,
                  latency_seconds: float | None = None, timeout: float = 30.0) -> Testbed:
    """Run the test bed in a child process; returns once it answers. Files go to ``directory``:
    ``testbed-manifest.json``, ``testbed-requests.jsonl``, ``testbed-ready.json``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    ready = directory / "testbed-ready.json"
    ready.unlink(missing_ok=True)
    manifest_path = directory / "testbed-manifest.json"
    log_path = directory / "testbed-requests.jsonl"
    command = [sys.executable, "-m", "harvester.testbed.server", "--port", str(port), "--host-base", host_base,
               "--seed", str(seed), "--generation", str(generation), "--manifest", str(manifest_path),
               "--log", str(log_path), "--ready-file", str(ready)]
    if portals:
        command += ["--portals", *portals]
    if slow_seconds is not None:
        command += ["--slow", str(slow_seconds)]
    if fail_first is not None:
        command += ["--fail-first", str(fail_first)]
    if big_bytes is not None:
        command += ["--big-bytes", str(big_bytes)]
    if latency_seconds is not None:
        command += ["--latency", str(latency_seconds)]
    env = dict(os.environ)
    package_root = str(Path(__file__).resolve().parents[2])  # works without an installed package
    env["PYTHONPATH"] = os.pathsep.join(p for p in (package_root, env.get("PYTHONPATH", "")) if p)
    errors = directory / "testbed-stderr.txt"
    with errors.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, env=env)
    deadline = time.monotonic() + timeout
    while not ready.exists():
        if process.poll() is not None:
            raise RuntimeError(f"test bed exited with {process.returncode}: "
                               f"{errors.read_text(errors='replace')[-2000:]}")
        if time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"test bed not ready after {timeout} s")
        time.sleep(0.05)
    info = json.loads(ready.read_text(encoding="utf-8"))
    return Testbed(port=info["port"], host_base=host_base, manifest_path=manifest_path, log_path=log_path,
                   process=process, manifest=json.loads(manifest_path.read_text(encoding="utf-8")))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``python -m harvester.testbed.server`` and ``harvester testbed serve``."""
    parser.add_argument("--host-base", default="127.0.0.11",
                        help="first loopback address; hosts use +0…+4 and the spam mirror +8 (default %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="one port for every address (default: a free one)")
    parser.add_argument("--portals", nargs="+", choices=PORTAL_KEYS, metavar="NAME",
                        help=f"serve only these portals ({', '.join(PORTAL_KEYS)}); default all")
    parser.add_argument("--seed", type=int, default=0, help="seed for document ids and page styles (default 0)")
    parser.add_argument("--generation", type=int, default=0,
                        help="0: initial content; 1: one report added, one revised, one removed")
    parser.add_argument("--manifest", type=Path, help="write the manifest (JSON) here")
    parser.add_argument("--log", type=Path, help="append the request log (JSON lines) here")
    parser.add_argument("--slow", type=float, default=Options.slow_seconds, help="delay of the slow page, seconds")
    parser.add_argument("--fail-first", type=int, default=Options.fail_first,
                        help="503 answers before the transient page recovers")
    parser.add_argument("--big-bytes", type=int, default=Options.big_bytes, help="size of the oversized attachment")
    parser.add_argument("--latency", type=float, default=Options.latency_seconds,
                        help="seconds added to every answer, like a round trip to a real portal (default 0)")


def serve_from_args(args: argparse.Namespace) -> TestbedServer:
    options = Options(slow_seconds=args.slow, fail_first=args.fail_first, big_bytes=args.big_bytes,
                      latency_seconds=args.latency)
    return serve(port=args.port, host_base=args.host_base, seed=args.seed, generation=args.generation,
                 portals=args.portals, options=options, manifest_path=args.manifest, log_path=args.log)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harvester.testbed.server", description=__doc__.split("\n")[0])
    add_arguments(parser)
    parser.add_argument("--ready-file", type=Path, help="write {port, manifest, log, pid} here when serving")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    testbed = serve_from_args(args)
    try:
        if args.ready_file:
            tmp = args.ready_file.with_suffix(".tmp")
            tmp.write_text(json.dumps({"port": testbed.port, "addresses": testbed.addresses,
                                       "manifest": str(args.manifest) if args.manifest else None,
                                       "log": str(args.log) if args.log else None, "pid": os.getpid()}),
                           encoding="utf-8")
            tmp.replace(args.ready_file)
        while not stop.wait(0.5):
            pass
    finally:
        testbed.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
