#!/usr/bin/python3
"""A minimal OTLP/HTTP trace receiver for the benchmarks: no dependency, the protobuf wire format decoded by hand.

    otlp_collector.py PORT SPANS_FILE

Listens on 127.0.0.1:PORT. POST /v1/traces (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf): every span is appended to
SPANS_FILE as one JSON object per line (service, scope, name, trace/span/parent ids, start and end in Unix
nanoseconds, attributes, events). POST /v1/metrics and /v1/logs are answered and dropped. Only the fields of
opentelemetry/proto/trace/v1/trace.proto that the benchmark reads are decoded; the others are skipped by wire type.
"""
import gzip
import json
import struct
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from threading import Lock


def fields(buf):
    """Yields (field number, wire type, value) of one protobuf message; value: int for varint/fixed, bytes for length-delimited."""
    i, n = 0, len(buf)
    while i < n:
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 1:
            value = struct.unpack_from("<Q", buf, i)[0]
            i += 8
        elif wire == 2:
            length, i = varint(buf, i)
            value = bytes(buf[i:i + length])
            i += length
        elif wire == 5:
            value = struct.unpack_from("<I", buf, i)[0]
            i += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield number, wire, value


def varint(buf, i):
    result = shift = 0
    while True:
        b = buf[i]
        i += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, i
        shift += 7


def any_value(buf):
    """AnyValue: string 1, bool 2, int 3, double 4, array 5, kvlist 6, bytes 7."""
    for number, wire, value in fields(buf):
        if number == 1:
            return value.decode("utf-8")
        if number == 2:
            return bool(value)
        if number == 3:
            return value - (1 << 64) if value >= 1 << 63 else value
        if number == 4:
            return struct.unpack("<d", struct.pack("<Q", value))[0]
        if number == 5:
            return [any_value(v) for n, _, v in fields(value) if n == 1]
        if number == 6:
            return attributes([v for n, _, v in fields(value) if n == 1])
        if number == 7:
            return value.hex()
    return None


def attributes(key_values):
    """Repeated KeyValue (key 1, value 2) as a dict."""
    result = {}
    for kv in key_values:
        key, value = "", None
        for number, _, v in fields(kv):
            if number == 1:
                key = v.decode("utf-8")
            elif number == 2:
                value = any_value(v)
        result[key] = value
    return result


def spans_of(request):
    """ExportTraceServiceRequest -> span dicts."""
    for number, _, resource_spans in fields(request):
        if number != 1:
            continue
        resource, scope_spans = {}, []
        for n, _, v in fields(resource_spans):
            if n == 1:
                resource = attributes([a for m, _, a in fields(v) if m == 1])
            elif n == 2:
                scope_spans.append(v)
        for scope_buf in scope_spans:
            scope = ""
            raw_spans = []
            for n, _, v in fields(scope_buf):
                if n == 1:
                    scope = next((s.decode("utf-8") for m, _, s in fields(v) if m == 1), "")
                elif n == 2:
                    raw_spans.append(v)
            for raw in raw_spans:
                span = {"service": resource.get("service.name"), "scope": scope, "attributes": {}, "events": [], "parent": ""}
                attrs, events = [], []
                for n, _, v in fields(raw):
                    if n == 1:
                        span["trace"] = v.hex()
                    elif n == 2:
                        span["span"] = v.hex()
                    elif n == 4:
                        span["parent"] = v.hex()
                    elif n == 5:
                        span["name"] = v.decode("utf-8")
                    elif n == 7:
                        span["start"] = v
                    elif n == 8:
                        span["end"] = v
                    elif n == 9:
                        attrs.append(v)
                    elif n == 11:
                        events.append(v)
                    elif n == 15:
                        span["status"] = next((c for m, _, c in fields(v) if m == 3), 0)
                span["attributes"] = attributes(attrs)
                for event in events:
                    e = {}
                    for m, _, v in fields(event):
                        if m == 1:
                            e["time"] = v
                        elif m == 2:
                            e["name"] = v.decode("utf-8")
                    span["events"].append(e)
                yield span


class Handler(BaseHTTPRequestHandler):
    spans_file = ""
    lock = Lock()

    def do_POST(self):  # noqa: N802 (http.server's name)
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        if self.path.rstrip("/").endswith("/v1/traces"):
            lines = [json.dumps(s, separators=(",", ":")) + "\n" for s in spans_of(body)]
            with self.lock, open(self.spans_file, "a", encoding="utf-8") as out:
                out.writelines(lines)
        # An empty Export*ServiceResponse: everything accepted.
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format, *args):  # noqa: A002 (http.server's signature)
        pass


def main(argv):
    port, Handler.spans_file = int(argv[0]), argv[1]
    open(Handler.spans_file, "a").close()
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print(f"otlp collector on 127.0.0.1:{port}, spans to {Handler.spans_file}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
