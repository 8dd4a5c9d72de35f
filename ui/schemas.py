"""Request and response models of the HTTP API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, model_validator

from tools.base import PendingAction


class SignInRequest(BaseModel):
    """Email + order number, or full name + postcode."""

    email: str | None = Field(None, max_length=255, examples=["alice@example.com"])
    order_id: str | None = Field(None, max_length=32, examples=["#W1000001"])
    name: str | None = Field(None, max_length=200, examples=["Alice Chen"])
    postcode: str | None = Field(None, max_length=20, examples=["94107"])

    @model_validator(mode="after")
    def one_way_to_sign_in(self) -> SignInRequest:
        if not ((self.email and self.order_id) or (self.name and self.postcode)):
            raise ValueError("give email and order_id, or name and postcode")
        return self


class SessionResponse(BaseModel):
    session_id: str
    customer_name: str
    language: str
    mode: Literal["model", "guided"]


class MessageRequest(BaseModel):
    text: str = Field(min_length=1, max_length=4000, examples=["I want to return the headphones from order #W1000001"])


class ConfirmRequest(BaseModel):
    action_id: str | None = Field(None, description="The pending action's id; guards against confirming a stale card.")


class ToolTrace(BaseModel):
    tool: str
    args: dict[str, Any]
    result: Any


class TurnResponse(BaseModel):
    session_id: str
    reply: str
    mode: Literal["model", "guided"] = Field(description="Whether the LLM or guided mode wrote the reply.")
    pending: PendingAction | None = Field(None, description="An action waiting for the customer's confirmation.")
    tool_trace: list[ToolTrace] = []


class PendingResponse(BaseModel):
    pending: PendingAction | None


class HistoryEntry(BaseModel):
    role: Literal["user", "assistant"]
    content: str
    mode: str | None = None


class ErrorBody(BaseModel):
    code: str
    message: str


class ErrorResponse(BaseModel):
    error: ErrorBody
