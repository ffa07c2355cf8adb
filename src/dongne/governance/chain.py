"""The hash chain of the governance log: each entry's hash is sha256(previous hash + canonical JSON payload)."""

import hashlib
import json

GENESIS = "0" * 64


def canonical_json(payload):
    """The exact text that is hashed: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def chain_hash(prev_hash, payload_text):
    """sha256 over the previous hash followed by the canonical payload."""
    return hashlib.sha256((prev_hash + payload_text).encode("utf-8")).hexdigest()
