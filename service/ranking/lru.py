"""A bounded least-recently-used cache, for keys that depend on requests."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class BoundedCache(Generic[K, V]):
    """At most `size` entries; the least recently used goes first. Size 0 disables caching.

    With `max_bytes` and `weigh` (the size of a value), the values together also stay within `max_bytes`:
    counting entries alone let a few hundred large answers hold hundreds of megabytes. A value larger than
    `max_bytes` on its own is returned, not kept.
    """

    def __init__(
        self, size: int, *, max_bytes: int | None = None, weigh: Callable[[V], int] | None = None
    ) -> None:
        if (max_bytes is None) != (weigh is None):
            raise ValueError("max_bytes and weigh go together")
        self.size = size
        self.max_bytes = max_bytes
        self._weigh = weigh
        self._data: OrderedDict[K, V] = OrderedDict()
        self._weights: dict[K, int] = {}
        self.total_bytes = 0
        self._lock = Lock()

    def get(self, key: K) -> V | None:
        """The cached value of `key` (now the most recently used), or None.

        Without the lock: each OrderedDict operation is atomic, and a hit is the hot path (ten per
        differential answer). A key evicted by another thread between the two steps is still a hit."""
        found = self._data.get(key)
        if found is not None:
            # A key evicted by another thread's put meanwhile: still a hit (suppress() costs more than try).
            try:  # noqa: SIM105
                self._data.move_to_end(key)
            except KeyError:
                pass
        return found

    def put(self, key: K, value: V) -> None:
        """Keep `value` under `key` (unless the cache is disabled or the value alone is over the bytes)."""
        if self.size <= 0:
            return
        weight = self._weigh(value) if self._weigh is not None else 0
        if self.max_bytes is not None and weight > self.max_bytes:
            return
        with self._lock:
            if key in self._data:  # computed meanwhile by another thread: keep one copy
                self.total_bytes -= self._weights.pop(key, 0)
            self._data[key] = value
            self._data.move_to_end(key)
            if self._weigh is not None:
                self._weights[key] = weight
                self.total_bytes += weight
            while len(self._data) > self.size or (
                self.max_bytes is not None and self.total_bytes > self.max_bytes
            ):
                oldest, _ = self._data.popitem(last=False)
                self.total_bytes -= self._weights.pop(oldest, 0)

    def get_or_compute(self, key: K, compute: Callable[[], V]) -> V:
        """The cached value of `key`, computing and storing it when missing."""
        if self.size <= 0:
            return compute()
        found = self.get(key)
        if found is not None:
            return found
        value = compute()
        self.put(key, value)
        return value

    def __len__(self) -> int:
        return len(self._data)
