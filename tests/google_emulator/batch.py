"""The multipart/mixed batch format: split a batch request, assemble the batch answer.

Each request part is ``Content-Type: application/http`` holding a whole HTTP request;
each answer part echoes the request's Content-ID as ``<response-ID>`` and holds a whole
HTTP response with its own status, which is how one part can fail while others succeed.
"""

from __future__ import annotations

import email.parser
import email.policy
import secrets
from dataclasses import dataclass

from .api import Response
from .errors import REASONS, ApiError, bad_request

# Google's batch guide allows 1000 calls per batch, but the Calendar API is known to
# answer many parts of large batches with rateLimitExceeded; 50 is the project's
# agreed ceiling and the emulator refuses more (configurable on GoogleEmulator).
MAX_PARTS = 50


@dataclass
class Part:
    content_id: str
    method: str
    target: str
    headers: dict[str, str]
    body: bytes


def _parse_part(content_id: str, payload: str) -> Part:
    """One application/http payload -> method, target, lower-cased headers, body."""
    payload = payload.replace("\r\n", "\n")
    head, _, body = payload.partition("\n\n")
    lines = head.split("\n")
    try:
        method, target, _version = lines[0].split(" ", 2)
    except ValueError:
        raise bad_request("Failed to parse batch request.") from None
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    return Part(content_id, method, target, headers, body.rstrip("\n").encode())


def parse(content_type: str, raw: bytes, max_parts: int = MAX_PARTS) -> list[Part]:
    """The parts of a batch request; 400 like Google if it is not a valid batch."""
    if not content_type.lower().startswith("multipart/mixed") or "boundary" not in content_type:
        raise bad_request("Batch requests must be multipart/mixed with a boundary.")
    text = f"Content-Type: {content_type}\r\n\r\n".encode() + raw
    message = email.parser.BytesParser(policy=email.policy.compat32).parsebytes(text)
    if not message.is_multipart():
        raise bad_request("Failed to parse batch request.")
    parts = []
    for sub in message.get_payload():
        payload = sub.get_payload(decode=False)
        if not isinstance(payload, str):
            raise bad_request("Failed to parse batch request.")
        content_id = (sub.get("Content-ID") or "").strip()
        parts.append(_parse_part(content_id, payload))
    if not parts:
        raise bad_request("Batch request contains no parts.")
    if len(parts) > max_parts:
        raise ApiError(
            400,
            "batchSizeTooLarge",
            f"A batch request cannot contain more than {max_parts} requests.",
        )
    return parts


def _response_id(content_id: str) -> str:
    inner = (
        content_id[1:-1] if content_id.startswith("<") and content_id.endswith(">") else content_id
    )
    return f"<response-{inner}>"


def assemble(answers: list[tuple[Part, Response]]) -> Response:
    """The multipart/mixed answer for the processed parts, in request order."""
    boundary = "batch_" + secrets.token_hex(12)
    chunks = []
    for part, resp in answers:
        head = [f"--{boundary}", "Content-Type: application/http"]
        if part.content_id:
            head.append(f"Content-ID: {_response_id(part.content_id)}")
        head += ["", f"HTTP/1.1 {resp.status} {REASONS.get(resp.status, 'Unknown')}"]
        head += [f"{name}: {value}" for name, value in resp.headers]
        head += [f"Content-Length: {len(resp.body)}", "", ""]
        chunks.append("\r\n".join(head).encode() + resp.body + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    headers = [("Content-Type", f"multipart/mixed; boundary={boundary}")]
    return Response(200, b"".join(chunks), headers)
