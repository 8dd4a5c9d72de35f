"""How many turns one conversation may take per minute, whichever door they come through.

The application service checks it on every customer message (the API's JSON and SSE routes, the
OpenAI-compatible route, the web app, the terminal chat), so no door is a way around it. It imports
nothing of `ui`, so it can live beside the service.
"""

from __future__ import annotations

import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter


class TurnRateLimiter:
    """A moving window of turns per session (the `limits` library, in memory: per server process)."""

    def __init__(self, per_minute: int) -> None:
        self.item = RateLimitItemPerMinute(per_minute) if per_minute > 0 else None
        self.limiter = MovingWindowRateLimiter(MemoryStorage())

    def wait_s(self, session_id: str) -> int:
        """Counts one turn of `session_id`; 0 if it may go ahead, else the seconds to wait (nothing counted)."""
        if self.item is None or self.limiter.hit(self.item, "turns", session_id):
            return 0
        reset = self.limiter.get_window_stats(self.item, "turns", session_id).reset_time
        return max(1, int(reset - time.time()) + 1)
