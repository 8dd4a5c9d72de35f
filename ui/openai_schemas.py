"""The slice of the OpenAI Chat Completions schema that `/v1/chat/completions` speaks."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ui.schemas import MAX_MESSAGE_CHARS

MODEL_ID = "returndesk"


class ChatMessageIn(BaseModel):
    model_config = ConfigDict(extra="allow")

    role: str = Field(max_length=20)
    content: str | list[dict[str, Any]] | None = None

    def text(self) -> str:
        """The text of the message; content parts other than text are ignored."""
        if isinstance(self.content, list):
            return "".join(str(p.get("text", "")) for p in self.content if p.get("type") == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    """Only the last user message is read: the conversation itself lives in the session."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "model": "returndesk",
                    "stream": False,
                    "user": "chat-3f2a9c0d",
                    "messages": [{"role": "user", "content": "I want to return the headphones from order #W1000001"}],
                }
            ]
        },
    )

    model: str = Field(MODEL_ID, max_length=200, description="Any name is accepted; replies name 'returndesk'.")
    messages: list[ChatMessageIn] = Field(min_length=1, max_length=500)
    stream: bool = False
    user: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="OpenAI's end-user label: accepted and ignored. It never selects a "
        "conversation (anyone can send any label): send the X-Session-Id header for that.",
    )

    def last_user_text(self) -> str:
        for message in reversed(self.messages):
            if message.role == "user":
                return message.text()[: MAX_MESSAGE_CHARS + 1]
        return ""


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL_ID
    choices: list[Choice]
    returndesk: dict[str, Any] = Field(
        default_factory=dict, description="Extra: session_id, mode, pending card (OpenAI clients ignore it)."
    )


class ModelCard(BaseModel):
    id: str = MODEL_ID
    object: Literal["model"] = "model"
    created: int = 0
    owned_by: str = "returndesk"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]
