"""The bounded cache: by entries, and by bytes when given a weight."""

from __future__ import annotations

import pytest

from clinkg.service.ranking.lru import BoundedCache


def test_many_large_values_keep_the_total_under_the_byte_cap() -> None:
    cache: BoundedCache[int, bytes] = BoundedCache(1024, max_bytes=1_000_000, weigh=len)
    for key in range(500):
        value = bytes(30_000 + key)
        cache.get_or_compute(key, lambda: value)  # noqa: B023 - called at once, inside the loop
        assert cache.total_bytes <= 1_000_000
    assert 0 < len(cache) < 1024
    assert cache.total_bytes == sum(30_000 + key for key in range(500 - len(cache), 500))


def test_the_most_recently_used_stay() -> None:
    cache: BoundedCache[str, bytes] = BoundedCache(10, max_bytes=300, weigh=len)
    for key in "abc":
        cache.get_or_compute(key, lambda: bytes(100))
    cache.get_or_compute("a", lambda: pytest.fail("a is cached"))
    cache.get_or_compute("d", lambda: bytes(100))  # b, the least recently used, goes
    assert cache.get_or_compute("b", lambda: b"again") == b"again"
    assert cache.get_or_compute("a", lambda: pytest.fail("a is cached")) == bytes(100)


def test_a_value_over_the_cap_is_returned_not_kept() -> None:
    cache: BoundedCache[str, bytes] = BoundedCache(10, max_bytes=100, weigh=len)
    cache.get_or_compute("small", lambda: bytes(10))
    assert cache.get_or_compute("huge", lambda: bytes(101)) == bytes(101)
    assert len(cache) == 1 and cache.total_bytes == 10


def test_the_entry_bound_still_holds() -> None:
    cache: BoundedCache[int, bytes] = BoundedCache(3, max_bytes=10**9, weigh=len)
    for key in range(10):
        cache.get_or_compute(key, lambda: b"x")
    assert len(cache) == 3 and cache.total_bytes == 3


def test_size_zero_caches_nothing() -> None:
    cache: BoundedCache[int, bytes] = BoundedCache(0, max_bytes=100, weigh=len)
    cache.get_or_compute(1, lambda: b"x")
    assert len(cache) == 0
