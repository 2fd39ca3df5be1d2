#!/usr/bin/env python3
"""Times `figmark serve` from a note's save to the reload event, as a browser tab sees it.

    scripts/serve_latency.py FIGMARK_BINARY SITE_ROOT NOTE [EDITS]

Starts the server on a free port, listens to its live-reload stream (/__figmark/events), then
EDITS times appends a line to NOTE (a path under SITE_ROOT/content) and measures the time until
the stream announces the reload. Each edit's page is then fetched and must hold the new line, so
a reload that served stale HTML fails the run. Prints every latency, their median, and the
median rebuild time the server logged ("built in N ms"). The note is restored at the end.
"""

import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request


def main():
    binary, root, note = sys.argv[1:4]
    edits = int(sys.argv[4]) if len(sys.argv) > 4 else 10
    page = re.sub(r"\.md$", ".html", note.split("/content/", 1)[1])
    server = subprocess.Popen(
        [binary, "--root", root, "serve", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        port = wait_for_port(server)
        with open(note, encoding="utf-8") as f:
            original = f.read()
        latencies = []
        try:
            for i in range(edits):
                marker = f"延迟测量 {i} {time.time_ns()}"
                # Spaced out as a person's saves are, so that each edit is rebuilt on its own.
                time.sleep(0.3)
                # The server ends a stream once it has told it to reload, as the tab reloads.
                events = open_events(port)
                start = time.perf_counter()
                with open(note, "a", encoding="utf-8") as f:
                    f.write(f"\n{marker}\n")
                wait_for_reload(events)
                latencies.append((time.perf_counter() - start) * 1000)
                html = urllib.request.urlopen(f"http://127.0.0.1:{port}/{page}").read().decode()
                if marker not in html:
                    sys.exit(f"edit {i}: the reloaded page does not show the edit")
        finally:
            with open(note, "w", encoding="utf-8") as f:
                f.write(original)
    finally:
        server.terminate()
        log = server.communicate(timeout=10)[1]
    builds = [int(ms) for ms in re.findall(r"built in (\d+) ms: 1 of", log)]
    print("save → reload event (ms):", " ".join(f"{ms:.1f}" for ms in latencies))
    print(f"median save → reload: {statistics.median(latencies):.1f} ms over {edits} edits")
    if builds:
        print(f"median rebuild as the server logged it: {statistics.median(builds)} ms")
    print_stage_medians(log)


def print_stage_medians(log):
    """The median of each stage over the rebuilds after the first build, as the server logged them."""
    stages = {}
    for line in re.findall(r"stages \(ms\): (.*)", log)[1:]:
        for name, ms in re.findall(r"([a-z ]+) ([\d.]+)", line):
            stages.setdefault(name.strip(), []).append(float(ms))
    if stages:
        print("median per stage (ms):", ", ".join(f"{n} {statistics.median(v):.1f}" for n, v in stages.items()))


def wait_for_port(server):
    for line in server.stderr:
        found = re.search(r"serving http://[^:]+:(\d+)/", line)
        if found:
            return int(found.group(1))
    sys.exit("the server stopped before serving")


def open_events(port):
    events = socket.create_connection(("127.0.0.1", port))
    events.sendall(b"GET /__figmark/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    events.settimeout(30)
    stream = events.makefile("rb")
    # Once the response head is read, the server counts this stream as listening.
    for line in stream:
        if line in (b"\r\n", b"\n"):
            return stream
    sys.exit("the event stream closed before it started")


def wait_for_reload(events):
    for line in events:
        if line.startswith(b"event: failed"):
            sys.exit("the rebuild failed")
        if line.startswith(b"event: reload"):
            return
    sys.exit("the event stream closed")


if __name__ == "__main__":
    main()
