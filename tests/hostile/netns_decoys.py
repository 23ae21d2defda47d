"""What runs beside the service in the SSRF test's network namespaces (started by `netns.py`).

    python -m tests.hostile.netns_decoys hosts CONFIG LOG   # in the hosts namespace
    python -m tests.hostile.netns_decoys loop CONFIG LOG    # in the service's namespace
    python -m tests.hostile.netns_decoys probe CONFIG       # once, in the service's namespace

`hosts`: a DNS server for the test's names (with DNS rebinding and CNAMEs), and one HTTP server per
port on every address at once (the namespace routes every address to itself, and the listeners
are IP_TRANSPARENT): a connection to the allowed public site's address is that site (pages and
redirects to internal addresses); a connection to any other address is a decoy that answers with
a secret page and is logged as an escape. A packet sniffer on the link logs every connection
attempt (TCP SYN) and datagram that is not for the public site or the resolver, so an attempt
counts even where nothing listens.

`loop`: decoys on the service namespace's own addresses (127.0.0.1, ::1, its link address) and a
sniffer on its loopback, where nothing at all should travel (the service listens on a Unix socket).

`probe`: connects to a few decoys and resolves a few names, so the test can see that the
detectors would catch an escape.

Log lines are JSON: {"what": "syn"|"udp"|"accept", "dst", "port", "allowed"}. Standard library only.
"""
from __future__ import annotations

import ipaddress
import json
import socket
import socketserver
import struct
import sys
import threading
import time
from html import escape
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

IP_TRANSPARENT = 19
SECRET = "INTERN-HEMLIS"  # what a decoy says: a reading that contains it read an internal host
PUBLIC_MARK = "Offentlig sida"
_log_lock = threading.Lock()


class Log:
    def __init__(self, path: str):
        self.file = open(path, "a", encoding="utf-8")

    def write(self, **record) -> None:
        record["t"] = time.time()
        with _log_lock:
            self.file.write(json.dumps(record) + "\n")
            self.file.flush()


# -- DNS ------------------------------------------------------------------------------------------------


def _name(data: bytes, offset: int) -> tuple[str, int]:
    labels = []
    while data[offset]:
        length = data[offset]
        labels.append(data[offset + 1:offset + 1 + length].decode("latin-1"))
        offset += 1 + length
    return ".".join(labels), offset + 1


def _encode(name: str) -> bytes:
    return b"".join(bytes([len(p)]) + p.encode("latin-1") for p in name.strip(".").split(".")) + b"\0"


def _record(owner: bytes, rtype: int, rdata: bytes) -> bytes:
    return owner + struct.pack("!HHIH", rtype, 1, 0, len(rdata)) + rdata  # class IN, TTL 0


class Zone:
    """Names to records: {"A": [...], "AAAA": [...], "CNAME": "name"}; {"rebind": [first, second]}
    answers A queries alternately with the two addresses (TTL 0), the way a rebinding attacker does."""

    def __init__(self, names: dict):
        self.names = {k.lower().rstrip("."): v for k, v in names.items()}
        self.asked: dict[str, int] = {}

    def answer(self, query: bytes) -> bytes:
        ident, _flags, qdcount = struct.unpack("!HHH", query[:6])
        name, end = _name(query, 12)
        qtype = struct.unpack("!H", query[end:end + 2])[0]
        question = query[12:end + 4]
        answers = self._records(name.lower(), qtype, b"\xc0\x0c", 0)
        rcode = 0 if name.lower() in self.names else 3
        header = struct.pack("!HHHHHH", ident, 0x8180 | rcode, 1, len(answers), 0, 0)
        return header + question + b"".join(answers)

    def _records(self, name: str, qtype: int, owner: bytes, depth: int) -> list[bytes]:
        entry = self.names.get(name)
        if entry is None or depth > 4:
            return []
        if "CNAME" in entry:
            target = entry["CNAME"].lower()
            return [_record(owner, 5, _encode(target))] + self._records(target, qtype, _encode(target), depth + 1)
        if qtype == 1 and "rebind" in entry:
            count = self.asked[name] = self.asked.get(name, 0) + 1
            return [_record(owner, 1, socket.inet_aton(entry["rebind"][(count - 1) % 2]))]
        kind = {1: "A", 28: "AAAA"}.get(qtype)
        family = socket.AF_INET if qtype == 1 else socket.AF_INET6
        return [_record(owner, qtype, socket.inet_pton(family, a)) for a in entry.get(kind or "", [])]


def serve_dns(zone: Zone, address: str) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind((address, 53))

    def loop() -> None:
        while True:
            query, peer = sock.recvfrom(4096)
            try:
                sock.sendto(zone.answer(query), peer)
            except Exception as exc:  # a malformed query: no answer, the resolver retries
                print(f"dns: {exc!r}", file=sys.stderr, flush=True)

    threading.Thread(target=loop, daemon=True).start()


# -- HTTP: the public site and the decoys ---------------------------------------------------------------


def public_page(body: str) -> bytes:
    return (f"<!doctype html><html lang='sv'><head><meta charset='utf-8'><title>Kommunen</title></head>"
            f"<body><main><h1>{PUBLIC_MARK}.</h1>{body}</main></body></html>").encode("utf-8")


class Handler(BaseHTTPRequestHandler):
    public: set[tuple[str, int]]
    log: Log
    protocol_version = "HTTP/1.0"

    def log_message(self, format, *args):  # noqa: A002
        pass

    def _send(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        headers = {"Content-Type": "text/html; charset=utf-8", **(headers or {})}
        for key, value in headers.items():  # as UTF-8, the way some servers send an IDN Location
            self._headers_buffer.append(f"{key}: {value}\r\n".encode("utf-8", "surrogateescape"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        local = self.connection.getsockname()[:2]
        if (ipaddress.ip_address(local[0]).compressed, local[1]) not in self.public:
            self._send(200, f"<html><body><main><h1>{SECRET}</h1><p>{SECRET} från {local[0]} port {local[1]}, "
                            f"sökväg {self.path}.</p></main></body></html>".encode("utf-8"))
            return
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        to = unquote(query["to"][0]) if "to" in query else None
        name, _, rest = parts.path.lstrip("/").partition("/")
        if name == "r" and to is not None:  # /r/<status>?to=<Location>
            self._send(int(rest), b"", {"Location": to})
        elif name == "chain" and to is not None:  # /chain/<n>?to=: n redirects on this site, then to
            n = int(rest)
            following = f"/chain/{n - 1}?to={parts.query.partition('to=')[2]}" if n > 1 else to
            self._send(302, b"", {"Location": following})
        elif name == "sitemap.xml":  # /sitemap.xml?u=<url>&u=<url>: a sitemap listing those URLs
            listed = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in query.get("u", []))
            body = f"<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{listed}</urlset>"
            self._send(200, body.encode("utf-8"), {"Content-Type": "application/xml"})
        elif name == "refresh" and to is not None:
            self._send(200, public_page(f"<meta http-equiv='refresh' content='0;url={to}'><p>Vänta.</p>"),
                       {"Refresh": f"0; url={to}"})
        else:
            self._send(200, public_page(f"<p>Välkommen till kommunens webbplats, sidan {parts.path}.</p>"))


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # a client that hung up early (a TLS handshake on port 443, a refused redirect)

    def __init__(self, family: int, address: tuple, handler, transparent: bool):
        self.address_family = family
        self.transparent = transparent
        super().__init__(address, handler, bind_and_activate=False)
        if family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        if transparent and family == socket.AF_INET:
            self.socket.setsockopt(socket.SOL_IP, IP_TRANSPARENT, 1)
        self.server_bind()
        self.server_activate()


class Watched(Handler):
    """Logs every accepted connection before answering."""

    def setup(self):
        super().setup()
        local = self.connection.getsockname()[:2]
        address = ipaddress.ip_address(local[0]).compressed
        self.log.write(what="accept", dst=address, port=local[1], allowed=(address, local[1]) in self.public)


def serve_http(ports: list[int], public: set[tuple[str, int]], log: Log, transparent: bool) -> None:
    handler = type("Site", (Watched,), {"public": public, "log": log})
    for port in ports:
        for family, address in ((socket.AF_INET, "0.0.0.0"), (socket.AF_INET6, "::")):
            server = _Server(family, (address, port), handler, transparent)
            threading.Thread(target=server.serve_forever, daemon=True).start()


# -- the sniffer ---------------------------------------------------------------------------------------------


def sniff(interface: str, allowed: set[tuple[str, str, int]], log: Log) -> None:
    """Log every TCP SYN and UDP datagram arriving on `interface` that is not in `allowed`
    (protocol, destination, port); the sender's own outgoing copies are not counted twice."""
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0003))
    sock.bind((interface, 0))

    def loop() -> None:
        while True:
            frame, meta = sock.recvfrom(65535)
            if meta[2] == socket.PACKET_OUTGOING:
                continue
            found = _parse(frame)
            if found is None:
                continue
            proto, dst, port = found
            log.write(what=proto, dst=dst, port=port, allowed=(proto, dst, port) in allowed)

    threading.Thread(target=loop, daemon=True).start()


def _parse(frame: bytes) -> tuple[str, str, int] | None:
    ethertype = struct.unpack("!H", frame[12:14])[0]
    if ethertype == 0x0800:
        ihl = (frame[14] & 0x0F) * 4
        proto, dst = frame[23], socket.inet_ntop(socket.AF_INET, frame[30:34])
        payload = frame[14 + ihl:]
    elif ethertype == 0x86DD:
        proto, dst = frame[20], socket.inet_ntop(socket.AF_INET6, frame[38:54])
        payload = frame[54:]
    else:
        return None
    if proto == 6 and len(payload) >= 14:
        flags = payload[13]
        if flags & 0x02 and not flags & 0x10:  # SYN without ACK: a connection attempt
            return "syn", ipaddress.ip_address(dst).compressed, struct.unpack("!H", payload[2:4])[0]
    elif proto == 17 and len(payload) >= 4:
        return "udp", ipaddress.ip_address(dst).compressed, struct.unpack("!H", payload[2:4])[0]
    return None


# -- the modes --------------------------------------------------------------------------------------------------


def main() -> None:
    mode, config = sys.argv[1], json.loads(open(sys.argv[2], encoding="utf-8").read())
    if mode == "probe":
        probe(config)
        return
    log = Log(sys.argv[3])
    if mode == "hosts":
        public = {(ipaddress.ip_address(a).compressed, p) for a in config["public"] for p in (80, 443)}
        resolver = config["resolver"]
        allowed = {("syn", a, p) for a, p in public} | {("udp", resolver, 53), ("syn", resolver, 53)}
        serve_dns(Zone(config["zone"]), resolver)
        serve_http(config["ports"], public, log, transparent=True)
        sniff(config["hosts_link"], allowed, log)
    elif mode == "loop":
        serve_http(config["ports"], set(), log, transparent=False)
        sniff("lo", set(), log)
    print("ready", flush=True)
    while True:
        time.sleep(3600)


def probe(config: dict) -> None:
    """Reach a few decoys and resolve a few names from the service's namespace; print what happened."""
    out = {}
    for address, port in config["probe_connect"]:
        try:
            with socket.create_connection((address, port), timeout=2) as sock:
                sock.sendall(b"GET /probe HTTP/1.0\r\n\r\n")
                answer = b""
                while chunk := sock.recv(4096):
                    answer += chunk
                out[f"{address}:{port}"] = answer.decode("utf-8", "replace")
        except OSError as exc:
            out[f"{address}:{port}"] = f"error {exc!r}"
    for name in config["probe_resolve"]:
        try:
            out[name] = sorted({i[4][0] for i in socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)})
        except OSError as exc:
            out[name] = f"error {exc!r}"
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
