#!/usr/bin/env python3
"""examples/upload_worker against a small S3 stand-in on 127.0.0.1 (issue 14 item 7): no RGW
needed, and the server can fail on purpose.

usage: upload_worker_local.py <upload_worker> <sigv4>

The stand-in answers CreateMultipartUpload with S3's InitiateMultipartUploadResult, UploadPart
with an ETag, CompleteMultipartUpload and AbortMultipartUpload as S3 does, and checks every
presigned URL it is sent with `sigv4 verify` (same credentials). Checked:

- the UploadId is printed; the CompleteMultipartUpload body lists every part with the ETag the
  server gave it, in order (parsed here with xml.etree);
- a part answered with 500 is sent again after a pause (at least 0.4 s: the first back-off is
  0.5 s) and the upload completes; a part that fails three times stops the upload, which is
  then aborted (DELETE ?uploadId=...), and the error names S3's Code;
- SIGTERM while the server holds a part's answer: the worker stops at once (it does not wait
  for the answer) and aborts the upload; SIGINT the same;
- progress: to a pipe, plain lines 'upload: part N/M done' and no '\\r'; to a terminal (a pty),
  the '\\r' line and no 'part N/M done' lines.
"""

import http.server
import os
import pty
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET

from check_results import Results

KEY_ID = "AKIDUPLOADWORKEREXAMPLE"
SECRET = "upload/worker+secret/0123456789abcdefghij"
UPLOAD_ID = "2~test-upload.ID_0123"
MIB = 1024 * 1024


class Stand_in(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, sigv4):
        super().__init__(("127.0.0.1", 0), Handler)
        self.sigv4 = sigv4
        self.reset()

    def reset(self, fail_part=None, fail_times=0, hold_part=None):
        self.log = []          # (time, method, query dict, status)
        self.parts = {}        # part number -> (size, etag)
        self.completed = None  # the CompleteMultipartUpload body
        self.aborted = False
        self.bad_urls = []
        self.fail_part, self.fail_times, self.hold_part = fail_part, fail_times, hold_part
        self.failures = {}
        self.holding = threading.Event()
        self.release = threading.Event()

    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body=b"", headers=()):
        try:
            self.send_response(status)
            for k, v in headers:
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the worker gave up on a held answer, as it should

    def verify(self):
        p = subprocess.run([self.server.sigv4, "verify", "-X", self.command, self.server.url() + self.path],
                           capture_output=True, text=True, timeout=30,
                           env={"PATH": os.environ.get("PATH", ""), "HOME": "/nonexistent",
                                "AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET,
                                "AWS_REGION": "us-east-1"})
        if p.stdout.strip() != "valid":
            self.server.bad_urls.append(f"{self.command} {self.path.partition('?')[0]}: {p.stdout.strip()} {p.stderr.strip()}")

    def handle_any(self):
        s = self.server
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length) if length else b""
        q = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query, keep_blank_values=True))
        self.verify()
        status = 200
        if self.command == "POST" and "uploads" in q:
            self.answer(200, ('<?xml version="1.0" encoding="UTF-8"?>\n<InitiateMultipartUploadResult '
                              'xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Bucket>bucket</Bucket>'
                              f'<Key>k</Key><UploadId>{UPLOAD_ID}</UploadId></InitiateMultipartUploadResult>').encode())
        elif self.command == "PUT" and "partNumber" in q:
            n = int(q["partNumber"])
            if n == s.hold_part:
                s.holding.set()
                s.release.wait(30)
            if n == s.fail_part and s.failures.get(n, 0) < s.fail_times:
                s.failures[n] = s.failures.get(n, 0) + 1
                status = 500
                self.answer(500, b"<Error><Code>InternalError</Code><Message>try again</Message></Error>")
            else:
                etag = f'"etag-{n}-{len(body)}"'
                s.parts[n] = (len(body), etag)
                self.answer(200, headers=[("ETag", etag)])
        elif self.command == "POST" and "uploadId" in q:
            s.completed = body
            self.answer(200, b"<CompleteMultipartUploadResult><Bucket>bucket</Bucket><Key>k</Key>"
                             b"<ETag>\"x-3\"</ETag></CompleteMultipartUploadResult>")
        elif self.command == "DELETE" and "uploadId" in q:
            s.aborted = q["uploadId"] == UPLOAD_ID
            status = 204
            self.answer(204)
        else:
            status = 400
            self.answer(400, b"<Error><Code>BadRequest</Code></Error>")
        s.log.append((time.monotonic(), self.command, q, status))

    do_GET = do_PUT = do_POST = do_DELETE = handle_any


def make_file(tmp, size):
    path = os.path.join(tmp, f"file-{size}")
    with open(path, "wb") as f:
        f.write(os.urandom(size))
    return path


def worker_args(worker, server, path, key="dir/object.bin"):
    return [worker, "--endpoint", server.url(), "--region", "us-east-1", "--multipart-threshold", str(5 * MIB),
            "--part-size", str(5 * MIB), f"s3://bucket/{key}", path]


def worker_env():
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": KEY_ID, "AWS_SECRET_ACCESS_KEY": SECRET, "HOME": "/nonexistent"})
    return env


def completed_parts(body):
    root = ET.fromstring(body)
    ns = "{http://s3.amazonaws.com/doc/2006-03-01/}"
    return [(int(p.find(ns + "PartNumber").text), p.find(ns + "ETag").text) for p in root.findall(ns + "Part")]


def test_retry_and_plain_lines(results, worker, server, tmp):
    server.reset(fail_part=2, fail_times=1)
    path = make_file(tmp, 11 * MIB)
    p = subprocess.run(worker_args(worker, server, path), capture_output=True, text=True, env=worker_env(), timeout=60)
    err = p.stderr
    results.check("multipart: exit 0", p.returncode == 0, err)
    results.check("multipart: prints the UploadId", f"upload_worker: multipart upload {UPLOAD_ID} started\n" in err, err)
    want = [(n, server.parts[n][1]) for n in sorted(server.parts)]
    got = completed_parts(server.completed) if server.completed else None
    results.check("multipart: CompleteMultipartUpload lists parts 1..3 with the server's ETags",
                  got == want and [n for n, _ in want] == [1, 2, 3]
                  and [server.parts[n][0] for n in (1, 2, 3)] == [5 * MIB, 5 * MIB, MIB], f"{got} {want}")
    puts2 = [t for t, m, q, _ in server.log if m == "PUT" and q.get("partNumber") == "2"]
    results.check("multipart: part 2 answered 500 is sent again after a back-off (>= 0.4 s)",
                  len(puts2) == 2 and puts2[1] - puts2[0] >= 0.4, f"{puts2}")
    results.check("multipart: not aborted", not server.aborted)
    results.check("plain progress lines to a pipe, no '\\r'",
                  all(f"upload: part {n}/3 done\n" in err for n in (1, 2, 3)) and "\r" not in err
                  and f"upload: {11 * MIB} bytes sent\n" in err, err)
    results.check("every URL the worker used verifies (sigv4 verify)", not server.bad_urls, "\n".join(server.bad_urls))


def test_retries_exhausted(results, worker, server, tmp):
    server.reset(fail_part=1, fail_times=10)
    path = make_file(tmp, 6 * MIB)
    p = subprocess.run(worker_args(worker, server, path), capture_output=True, text=True, env=worker_env(), timeout=60)
    puts1 = [m for _, m, q, _ in server.log if m == "PUT" and q.get("partNumber") == "1"]
    results.check("a part failing three times: exit 1, three attempts, aborted, S3's Code named",
                  p.returncode == 1 and len(puts1) == 3 and server.aborted and server.completed is None
                  and "UploadPart 1 answered HTTP 500 InternalError" in p.stderr
                  and "upload_worker: aborted the multipart upload (HTTP 204)\n" in p.stderr
                  and "\n\nupload_worker: aborted" not in p.stderr, p.stderr)
    results.check("the error never shows a signature", "X-Amz-Signature" not in p.stderr, p.stderr)


def test_signal(results, worker, server, tmp, signo):
    server.reset(hold_part=2)
    path = make_file(tmp, 12 * MIB)
    proc = subprocess.Popen(worker_args(worker, server, path), stderr=subprocess.PIPE, text=True, env=worker_env())
    held = server.holding.wait(30)
    time.sleep(0.2)  # the body is sent; the worker waits for the answer the server holds
    t0 = time.monotonic()
    proc.send_signal(signo)
    try:
        _, err = proc.communicate(timeout=10)
        stopped_in = time.monotonic() - t0
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        stopped_in = None
    server.release.set()
    name = signal.Signals(signo).name
    results.check(f"{name} while an answer is held: stops within 3 s, exit 1", held and proc.returncode == 1 and
                  stopped_in is not None and stopped_in < 3, f"held {held} exit {proc.returncode} in {stopped_in}\n{err}")
    results.check(f"{name}: the upload is aborted (DELETE ?uploadId={UPLOAD_ID})",
                  server.aborted and server.completed is None and "aborted the multipart upload (HTTP 204)" in err
                  and "stopped by a signal" in err, err)


def test_terminal(results, worker, server, tmp):
    server.reset()
    path = make_file(tmp, 11 * MIB)
    master, slave = pty.openpty()
    proc = subprocess.Popen(worker_args(worker, server, path), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=slave, env=worker_env())
    os.close(slave)
    out = b""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 1)
        if not ready:
            if proc.poll() is not None:
                break
            continue
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the worker closed the terminal
            break
        if not chunk:
            break
        out += chunk
    proc.wait(timeout=30)
    os.close(master)
    text = out.decode("utf-8", "replace")
    results.check("to a terminal: the '\\r' progress line, no 'part N/M done' lines",
                  proc.returncode == 0 and "\rupload: " in text and "part 1/3 done" not in text
                  and f"multipart upload {UPLOAD_ID} started" in text, repr(text[-600:]))


def main():
    if len(sys.argv) != 3:
        print(__doc__.strip().splitlines()[3], file=sys.stderr)
        return 2
    worker, sigv4 = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    results = Results()
    server = Stand_in(sigv4)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with tempfile.TemporaryDirectory(prefix="sigv4-upload-worker-") as tmp:
            test_retry_and_plain_lines(results, worker, server, tmp)
            test_retries_exhausted(results, worker, server, tmp)
            test_signal(results, worker, server, tmp, signal.SIGTERM)
            test_signal(results, worker, server, tmp, signal.SIGINT)
            test_terminal(results, worker, server, tmp)
    finally:
        server.shutdown()
    print(f"{results.passed} passed, {results.failed} failed")
    return 1 if results.failed else 0


if __name__ == "__main__":
    sys.exit(main())
