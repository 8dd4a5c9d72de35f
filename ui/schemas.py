"""Request and response models of the HTTP API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core import languages
from service.conversation import CONTROL_CHARS, MAX_MESSAGE_CHARS  # the service's own limits, checked at the door
from service.results import CARD_EXAMPLE, ConfirmationCard


class SignInRequest(BaseModel):
    """Email + order number, or full name + postcode; or nothing, to start anonymously
    (the customer then identifies in the chat)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"email": "alice@example.com", "order_id": "#W1000001"},
                {"name": "Alice Chen", "postcode": "94107"},
                {},
            ]
        }
    )

    email: str | None = Field(None, max_length=255)
    order_id: str | None = Field(None, max_length=32)
    name: str | None = Field(None, max_length=200)
    postcode: str | None = Field(None, max_length=20)
    language: str = Field(
        languages.DEFAULT,
        max_length=35,
        examples=list(languages.codes()),
        description="Language of an anonymous session, and of the messages of a refused "
        "sign-in: a supported language code.",
    )
    record: bool = Field(
        False,
        description="Staff only: record this session for QA replays. 403 unless the server "
        "has RETURNDESK_RECORD_DIR set and the request is staff's: the X-Staff-Token header "
        "(RETURNDESK_STAFF_TOKEN), or, where RETURNDESK_API_KEY is set, the key.",
    )

    @field_validator("language")
    @classmethod
    def supported_language(cls, language: str) -> str:
        code = languages.resolve(language)
        if code is None:
            raise ValueError(f"unsupported language; use one of {', '.join(languages.codes())}")
        return code

    @model_validator(mode="after")
    def one_way_to_sign_in(self) -> SignInRequest:
        given = [f for f in ("email", "order_id", "name", "postcode") if getattr(self, f)]
        if given and not ((self.email and self.order_id) or (self.name and self.postcode)):
            raise ValueError("give email and order_id, or name and postcode, or nothing to start anonymously")
        return self

    @property
    def anonymous(self) -> bool:
        return not any((self.email, self.order_id, self.name, self.postcode))


class SessionResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "session_id": "3f2a9c0d5e6b4a718293a4b5c6d7e8f9",
                    "signed_in": True,
                    "customer_name": "Alice Chen",
                    "language": "en",
                    "mode": "guided",
                }
            ]
        }
    )

    session_id: str
    signed_in: bool = Field(description="False for an anonymous session until the customer identifies.")
    customer_name: str | None
    language: str
    mode: Literal["model", "guided"] = Field(description="Who will answer: the LLM, or guided mode (no model).")
    recording: bool = Field(False, description="Whether this session is being recorded for QA.")


class MessageRequest(BaseModel):
    text: str = Field(
        min_length=1, max_length=MAX_MESSAGE_CHARS, examples=["I want to return the headphones from order #W1000001"]
    )

    @field_validator("text")
    @classmethod
    def printable(cls, text: str) -> str:
        if CONTROL_CHARS.search(text):
            raise ValueError("the message contains control characters; send plain text")
        if not text.strip():
            raise ValueError("the message is empty")
        return text


class ConfirmRequest(BaseModel):
    action_id: str | None = Field(
        None,
        max_length=200,
        examples=[CARD_EXAMPLE["action_id"]],
        description="The pending action's id; guards against confirming a stale card.",
    )


class ToolTrace(BaseModel):
    tool: str
    args: dict[str, Any]
    result: Any


class TurnResponse(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "session_id": "3f2a9c0d5e6b4a718293a4b5c6d7e8f9",
                    "reply": f"{CARD_EXAMPLE['title']}\n{CARD_EXAMPLE['on_confirm']}",
                    "mode": "guided",
                    "pending": CARD_EXAMPLE,
                    "tool_trace": [],
                    "quick_replies": [],
                }
            ]
        }
    )

    session_id: str
    reply: str
    mode: Literal["model", "guided"] = Field(description="Whether the LLM or guided mode wrote the reply.")
    pending: ConfirmationCard | None = Field(
        None, description="The confirmation card waiting for the customer's yes or no: the same shape for every action."
    )
    tool_trace: list[ToolTrace] = []
    quick_replies: list[str] = Field([], description="Suggested next messages, when the assistant has some.")
    with_person: Literal["waiting", "staff", "assist"] | None = Field(
        None,
        description="The conversation is with a person: `waiting` in the staff queue, or with `staff` "
        "(their replies arrive in GET .../messages and GET .../events); the assistant is silent. `assist`: "
        "agent-assist mode, a staff member is checking the answer; it arrives the same way once approved.",
    )
    staff_name: str | None = Field(None, description="The staff member who has the conversation.")


class PendingResponse(BaseModel):
    pending: ConfirmationCard | None


class HistoryEntry(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"role": "user", "content": "return the headphones from #W1000001", "mode": None},
                {"role": "assistant", "content": "Your return is created.", "mode": "guided"},
            ]
        }
    )

    role: Literal["user", "assistant"]
    content: str
    mode: str | None = Field(None, description="Who wrote an answer: `model`, `guided` or `staff` (a person).")
    author: str | None = Field(None, description="The staff member's display name, on their replies.")


class FeedbackRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"message_index": 1, "rating": "up", "comment": "Quick and clear."}]}
    )

    message_index: int = Field(ge=0, description="Position (from 0) of an assistant message in GET .../messages.")
    rating: Literal["up", "down"]
    comment: str = Field("", max_length=1000)


class FeedbackResponse(BaseModel):
    session_id: str
    message_index: int
    rating: Literal["up", "down"]
    comment: str


class ErrorBody(BaseModel):
    code: str = Field(examples=["session_not_found"], description="Stable, machine-readable reason.")
    message: str = Field(
        examples=["Unknown session: sign in again to start a new one."],
        description="What went wrong, in words safe to show a customer.",
    )


class ErrorResponse(BaseModel):
    """Every error of the API has this shape, whatever the status."""

    error: ErrorBody
