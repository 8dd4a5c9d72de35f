"""Throttling sign-in guesses, per client address and per target account, with a growing lockout.

Every door that checks a customer's credentials (the REST sign-in, the chat's `verify_customer`, the
web page's form) goes through `tools.sign_in.verify_credentials`, which asks this throttle first.

- An account (the email, or the full name) or a client address that fails `limit` times within
  RETURNDESK_SIGN_IN_WINDOW_S is locked for RETURNDESK_SIGN_IN_LOCKOUT_S; each further lockout within a
  day doubles, up to RETURNDESK_SIGN_IN_MAX_LOCKOUT_S. While locked, even the right credentials wait.
- An attempt is counted before its credentials are checked (one atomic increment), so parallel
  requests cannot slip extra guesses past the limit. A successful sign-in takes back its own attempt
  on the address and clears its account's count; other accounts' failures from that address stay.

Counts live in the `limits` library's storage named by RETURNDESK_THROTTLE_URL. Redis, because every
server process must see the same counts and Redis counts atomically with expiry; memory:// counts
in this process only (a one-process demo). Keys hold a digest, never the email or name itself.
"""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from babel.dates import format_timedelta
from limits.errors import StorageError
from limits.storage import Storage, storage_from_string

from core import languages
from core.settings import Settings
from mock_backends.orders.errors import OrderSystemError

log = logging.getLogger(__name__)
Scope = Literal["account", "address"]
STRIKES_REMEMBERED_S = 86_400  # the lockout doubles for repeat offenders within a day

WAIT = {
    "en": "Too many sign-in attempts. Please wait {wait} and try again.",
    "zh": "登录尝试次数过多,请等待{wait}后再试。",
}


class SignInThrottled(OrderSystemError):
    """Too many failed sign-ins for this account or from this address: `retry_after` seconds to wait."""

    code = "sign_in_throttled"
    hint = "Tell the customer how long to wait before trying again; do not try to verify them again now."

    def __init__(self, retry_after: int, scope: Scope, language: str = "en") -> None:
        super().__init__(WAIT["zh" if language == "zh" else "en"].format(wait=wait_text(retry_after, language)))
        self.retry_after, self.scope = retry_after, scope


class SignInUnavailable(OrderSystemError):
    """The throttle's storage does not answer: sign-in stops rather than let guesses through uncounted."""

    code = "sign_in_unavailable"
    hint = "Ask the customer to try again in a minute."


@dataclass(frozen=True)
class Target:
    """One thing whose failures are counted: an account or a client address."""

    scope: Scope
    digest: str
    limit: int

    def key(self, kind: str) -> str:
        return f"sign-in:{kind}:{self.scope}:{self.digest}"


@dataclass(frozen=True)
class Attempt:
    """An attempt let through: its targets and its own position in each count (to settle it later)."""

    counts: tuple[tuple[Target, int], ...]


class SignInThrottle:
    def __init__(
        self,
        storage: Storage,
        *,
        account_limit: int,
        address_limit: int,
        window_s: int,
        lockout_s: int,
        max_lockout_s: int,
    ) -> None:
        self.storage = storage
        self.account_limit, self.address_limit = account_limit, address_limit
        self.window_s, self.lockout_s, self.max_lockout_s = window_s, lockout_s, max_lockout_s

    @classmethod
    def from_settings(cls, settings: Settings) -> SignInThrottle:
        return cls(
            throttle_storage(settings),
            account_limit=settings.sign_in_failures,
            address_limit=settings.sign_in_address_failures,
            window_s=settings.sign_in_window_s,
            lockout_s=settings.sign_in_lockout_s,
            max_lockout_s=settings.sign_in_max_lockout_s,
        )

    def begin(self, *, account: str, address: str | None, language: str = "en") -> Attempt:
        """Count an attempt on `account` from `address`; raises SignInThrottled while either is locked."""
        targets = [Target("account", _digest(account), self.account_limit)]
        if address:
            targets.append(Target("address", _digest(address), self.address_limit))
        with _storage_errors():
            waits = [(self._locked_for(t), t.scope) for t in targets]
            if (longest := max(waits))[0] > 0:
                raise SignInThrottled(longest[0], longest[1], language)
            counts = tuple((t, self.storage.incr(t.key("failures"), self.window_s)) for t in targets)
            # Only parallel attempts get here past the limit: the one at the limit locks when it fails.
            if over := [t for t, n in counts if n > t.limit]:
                raise SignInThrottled(max(self._locked_for(over[0]), self.lockout_s), over[0].scope, language)
        return Attempt(counts)

    def failed(self, attempt: Attempt) -> None:
        """The credentials were wrong: the attempt that reached a limit starts that target's lockout."""
        with _storage_errors():
            for target, count in attempt.counts:
                if count == target.limit:
                    strikes = self.storage.incr(target.key("strikes"), STRIKES_REMEMBERED_S)
                    lockout = min(self.lockout_s * 2 ** (strikes - 1), self.max_lockout_s)
                    self.storage.incr(target.key("lock"), lockout)
                    self.storage.clear(target.key("failures"))  # after the lockout: `limit` more tries

    def succeeded(self, attempt: Attempt) -> None:
        """The customer proved who they are: their account's count is cleared, their own attempt taken
        back from the address (whose count of other accounts' failures stays)."""
        with _storage_errors():
            for target, _ in attempt.counts:
                if target.scope == "account":
                    self.storage.clear(target.key("failures"))
                else:
                    self.storage.incr(target.key("failures"), self.window_s, amount=-1)

    def _locked_for(self, target: Target) -> int:
        """Seconds left of the target's lockout (0: not locked)."""
        if self.storage.get(target.key("lock")) <= 0:
            return 0
        return max(1, math.ceil(self.storage.get_expiry(target.key("lock")) - time.time()))


def throttle_storage(settings: Settings) -> Storage:
    """The storage RETURNDESK_THROTTLE_URL names, its keys under RETURNDESK_THROTTLE_PREFIX."""
    storage = storage_from_string(settings.throttle_url, key_prefix=settings.throttle_prefix, wrap_exceptions=True)
    assert isinstance(storage, Storage), "an async storage URL cannot serve the sign-in throttle"
    return storage


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
    except StorageError as error:
        log.error("the sign-in throttle's storage does not answer: sign-in refused (%s)", error)
        raise SignInUnavailable("Signing in is not possible right now; please try again in a minute.") from error


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()[:32]


def wait_text(seconds: int, language: str = "en") -> str:
    """'45 seconds', '3 minutes', '3分钟': how long to wait, in the customer's words (Babel)."""
    rounded = seconds if seconds < 60 else math.ceil(seconds / 60) * 60
    return format_timedelta(timedelta(seconds=rounded), threshold=1.0, locale=languages.get(language).babel_locale)
