"""The baseline for API benchmarks: a bare FastAPI app with one JSON endpoint, served the same way."""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Message(BaseModel):
    text: str


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/v1/echo")
def echo(body: Message) -> dict[str, str]:  # sync, like our routes: same threadpool hop
    return {"reply": body.text}
