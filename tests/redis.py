"""A fresh Redis key prefix per test, on the server every dev and CI machine runs (127.0.0.1:6379).

Where no server answers, tests that need Redis skip with one line, unless REQUIRE_REDIS=1 (as
`.ci/run` sets), which turns the skip into a failure. Keys under the prefix are deleted afterwards.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

REDIS_URL = os.environ.get("RETURNDESK_TEST_REDIS", "redis://127.0.0.1:6379/0")


@contextmanager
def redis_prefix() -> Iterator[tuple[str, str]]:
    """Yields (redis URL, a key prefix no other test uses)."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
    try:
        client.ping()
    except redis.RedisError as error:
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail(f"Redis required (REQUIRE_REDIS=1) but unreachable at {REDIS_URL}: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}: {error}")
    prefix = f"rd-test-{uuid.uuid4().hex[:12]}"
    try:
        yield REDIS_URL, prefix
    finally:
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)
        client.close()
