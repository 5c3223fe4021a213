"""The browser's side of an evidence upload, in a process of its own.

``bench_evidence_upload.py`` starts it with the session cookie and the page's CSRF token,
waits for ``ready``, then writes a line to start the upload and times it until the answer
comes back as one JSON line (status and body). A browser is never inside the server's
process: here the client's reading and sending do not compete with the app for the GIL,
and the server's memory figures hold the app alone. The body is the page script's: a
multipart form with its length, asking for JSON (``X-Requested-With``) rather than a
redirect. The file's bytes go from the page cache to the socket with ``sendfile``: the
client stands for a browser on another machine, so the less of the two cores it takes
from the app and the S3 server here, the better (150 MiB: 0.16 CPU seconds read and
sent in 1 MiB pieces by urllib3, 0.03 with sendfile).

    python bench/upload_client.py BASE PATH COOKIE TOKEN FILE NAME
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import urllib.parse
from pathlib import Path


def framing(boundary: str, fields: dict[str, str], name: str) -> tuple[bytes, bytes]:
    """What goes before and after the file's bytes in a multipart body (field ``files``)."""
    preamble = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    )
    preamble += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    return preamble, f"\r\n--{boundary}--\r\n".encode()


def post(base: str, path: str, cookie: str, token: str, file: Path, name: str) -> tuple[int, str]:
    boundary = "----bench" + os.urandom(8).hex()
    fields = {"csrf_token": token, "note": "", "report_id": ""}
    preamble, epilogue = framing(boundary, fields, name)
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=600)
    try:
        connection.putrequest("POST", path)
        headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(len(preamble) + file.stat().st_size + len(epilogue)),
            "X-Requested-With": "XMLHttpRequest",
            "Cookie": cookie,
        }
        for header, value in headers.items():
            connection.putheader(header, value)
        connection.endheaders()
        sock = connection.sock
        sock.sendall(preamble)
        with file.open("rb") as f:
            sock.sendfile(f)
        sock.sendall(epilogue)
        response = connection.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def main() -> None:
    base, path, cookie, token, file, name = sys.argv[1:7]
    print("ready", flush=True)
    sys.stdin.readline()
    status, body = post(base, path, cookie, token, Path(file), name)
    print(json.dumps({"status": status, "body": body}), flush=True)


if __name__ == "__main__":
    main()
