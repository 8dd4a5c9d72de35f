"""Runtime settings: one typed object, read from `RETURNDESK_*` environment variables or `.env`."""

from __future__ import annotations

import logging
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# The production model (served by vLLM); used when the endpoint cannot name its model.
DEFAULT_MODEL = "Qwen/Qwen3-4B-Instruct-2507"

log = logging.getLogger(__name__)


class Settings(BaseSettings):
    """Every knob ReturnDesk reads. The README's settings table mirrors this class."""

    model_config = SettingsConfigDict(env_prefix="RETURNDESK_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the SQLite database and checkpoints live.")
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the order database; default: SQLite file in the data dir. "
        "PostgreSQL: postgresql+psycopg://user@127.0.0.1:5432/test",
    )
    checkpoint_url: str | None = Field(
        None,
        description="Where conversation checkpoints persist; default: SQLite file in the data dir, "
        "or the same PostgreSQL database when database_url is PostgreSQL.",
    )
    llm_base_url: str | None = Field(
        None, description="OpenAI-compatible endpoint (vLLM), e.g. http://127.0.0.1:8000/v1. Unset: guided mode."
    )
    llm_model: str | None = Field(None, description="Served model name; unset: read from the endpoint's /v1/models.")
    llm_api_key: str = Field("EMPTY", description="API key for the endpoint (vLLM accepts any).")
    llm_timeout_s: float = Field(30.0, description="Per-request timeout for the model endpoint.")
    llm_max_retries: int = Field(1, description="Retries of a failed model call before guided mode takes over.")
    llm_discovery_timeout_s: float = Field(
        3.0, description="Timeout for reading the model name from the endpoint's /v1/models (when llm_model is unset)."
    )
    llm_stream: bool = Field(
        False,
        description="Stream model calls, tool rounds included (off: vLLM's streamed hermes tool calls are fragile).",
    )
    llm_max_tokens: int = Field(
        512, ge=1, description="Most tokens one model call may write (sent as max_completion_tokens on every call)."
    )
    llm_node_max_tokens: dict[str, int] = Field(
        default_factory=dict, description='Per-node override of llm_max_tokens, JSON: {"identify": 256, "assist": 768}.'
    )
    host: str = Field("127.0.0.1", description="Bind address of the web server.")
    port: int = Field(7860, description="Port of the web server (Gradio UI at /, API at /v1).")
    public_url: str = Field(
        "http://127.0.0.1:7860",
        description="Where customers reach the web app (links in replies, e.g. the "
        "return label); default: host + port. Set it behind a proxy, e.g. https://returns.example.com.",
    )
    api_key: str | None = Field(None, description="When set, /v1 requires it (Authorization: Bearer, or X-API-Key).")
    max_body_bytes: int = Field(64_000, description="Largest request body the server accepts (/v1 and the web app).")
    rate_limit_per_minute: int = Field(30, description="Turns one session may send per minute (0: no limit).")
    turn_lock_timeout_s: float = Field(
        30.0,
        gt=0,
        description="Longest a turn waits while another turn of the same session runs (in any "
        "server process on the same database) before it is refused with 409 session_busy.",
    )
    ui_concurrency: int | None = Field(
        None,
        ge=1,
        description="Web app: how many customers' turns run at once, across all of the page's buttons "
        "(Gradio's queue). Unset: 32 with a model (a turn mostly waits on it), 2 in guided mode (a "
        "guided turn is CPU work in this process: more at once only adds contention).",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins (comma-separated) whose browser pages may call the server; empty: same-origin only.",
    )
    db_busy_timeout_s: float = Field(
        5.0,
        gt=0,
        description="Longest a request waits for a database lock (SQLite busy timeout, PostgreSQL "
        "lock_timeout) before it is answered 503 database_busy.",
    )
    throttle_url: str = Field(
        "memory://",
        description="Where sign-in failures and the anonymous-session cap are counted: "
        "redis://127.0.0.1:6379/0 shares the counts between server processes; memory:// counts per process.",
    )
    throttle_prefix: str = Field("returndesk", description="Key prefix in that storage (one per deployment).")
    sign_in_failures: int = Field(
        5,
        ge=1,
        description="Failed sign-ins per account (an email, or a name) in the "
        "window before the account is locked for a while.",
    )
    sign_in_address_failures: int = Field(
        20,
        ge=1,
        description="Failed sign-ins per client address in the window before the address is locked for a while.",
    )
    sign_in_window_s: int = Field(900, ge=1, description="The window in which failed sign-ins are counted.")
    sign_in_lockout_s: int = Field(60, ge=1, description="The first lockout; each further one within a day doubles.")
    sign_in_max_lockout_s: int = Field(3600, ge=1, description="The longest lockout.")
    anonymous_sessions_per_hour: int = Field(
        60, ge=0, description="Anonymous sessions one client address may open per hour (0: no limit)."
    )
    session_idle_minutes: float = Field(30, gt=0, description="A session unused this long has expired.")
    session_max_hours: float = Field(24, gt=0, description="A session this old has expired, however busy.")
    secret_key: SecretStr | None = Field(
        None,
        description="Signs return-label links; unset: a random key is generated into the data dir "
        "(data_dir/secret_key) on first start. Give every server process the same one.",
    )
    label_link_ttl_s: int = Field(86400, ge=1, description="How long a return-label link in a reply works.")
    staff_token: SecretStr | None = Field(
        None,
        description="Lets staff record sessions for QA (X-Staff-Token header); with api_key set, the key does too.",
    )
    staff_session_hours: float = Field(12, gt=0, description="How long a staff sign-in (the console's cookie) lasts.")
    assist_mode: Literal["front", "assist"] = Field(
        "front",
        description="front: the assistant answers customers itself; assist (agent-assist): its replies and "
        "proposed confirmation cards are drafts a staff member approves, edits or rejects first. A lead may "
        "choose either for one conversation in the staff console.",
    )
    staff_poll_s: float = Field(
        2.0,
        gt=0,
        description="How often the staff console and a customer's page waiting for a person look for new messages.",
    )
    carrier_url: str = Field(
        "http://127.0.0.1:7870",
        description="Base URL of the carrier (logistics) service; default: host + carrier port.",
    )
    carrier_port: int = Field(7870, description="Port the demo starts the carrier service on.")
    carrier_token: SecretStr | None = Field(
        None,
        description="Shared secret between the web app and the carrier service: the client sends it as a "
        "bearer token, the carrier requires it when set. `returndesk demo` and `returndesk carrier` make one "
        "when unset.",
    )
    carrier_timeout_s: float = Field(
        3.0, description="Longest a customer waits for one carrier call, retries included."
    )
    carrier_attempt_timeout_s: float = Field(1.0, description="Timeout of one HTTP attempt to the carrier.")
    carrier_max_attempts: int = Field(3, ge=1, description="Attempts per carrier call (connect errors, 5xx, timeouts).")
    carrier_fault_latency_ms: int = Field(0, ge=0, description="Carrier service: latency added to every request.")
    carrier_fault_error_rate: float = Field(
        0.0, ge=0, le=1, description="Carrier service: share of requests answered 503 (1.0: all)."
    )
    carrier_fault_timeout_rate: float = Field(
        0.0, ge=0, le=1, description="Carrier service: share of requests held until they time out (1.0: all)."
    )
    carrier_fault_hang_s: float = Field(
        30.0, ge=0, description="Carrier service: how long a request injected with a timeout is held."
    )
    max_tool_rounds: int = Field(8, description="Tool rounds per customer turn before a polite hand-off.")
    record_dir: Path | None = Field(
        None,
        description="Where recorded sessions are written (one directory each, for QA replays); "
        "unset: recording is off and a request to record is refused.",
    )
    record_all: bool = Field(
        False,
        description="Record every session (needs record_dir); otherwise only "
        "sessions opened with record=true (API) or the staff checkbox (web app).",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()]
        return value

    @model_validator(mode="after")
    def _urls_follow_ports(self) -> Settings:
        # Setting only RETURNDESK_CARRIER_PORT must not leave the tools calling the old port.
        if "carrier_url" not in self.model_fields_set:
            self.carrier_url = f"http://{self.host}:{self.carrier_port}"
        # Nor RETURNDESK_PORT the customers' links pointing at the old one.
        if "public_url" not in self.model_fields_set:
            host = "127.0.0.1" if self.host in ("0.0.0.0", "::") else self.host
            self.public_url = f"http://{host}:{self.port}"
        return self

    @property
    def carrier_token_value(self) -> str | None:
        return self.carrier_token.get_secret_value() if self.carrier_token else None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'returndesk.db').as_posix()}"

    @property
    def uses_postgres(self) -> bool:
        return self.resolved_database_url.startswith("postgresql")

    @property
    def resolved_checkpoint_url(self) -> str:
        """A plain sqlite file path, or a libpq-style PostgreSQL URL for langgraph-checkpoint-postgres."""
        if self.checkpoint_url:
            return self.checkpoint_url
        if self.uses_postgres:
            return self.resolved_database_url.replace("postgresql+psycopg://", "postgresql://")
        return str(self.data_dir / "checkpoints.sqlite")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once. Tests build their own `Settings(...)` instead."""
    return Settings()


def server_secret(settings: Settings) -> str:
    """The key that signs what the server hands out (return-label links): RETURNDESK_SECRET_KEY, else a
    random one generated into the data dir on first use and read back from there afterwards."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value()
    path = settings.data_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".secret_key.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(32))
        try:  # a hard link appears whole or not at all: two processes starting together keep the first key
            os.link(draft, path)
            log.warning(
                "RETURNDESK_SECRET_KEY is not set: generated a random secret key into %s. Give every "
                "server process the same key (that file, or the setting).",
                path,
            )
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
