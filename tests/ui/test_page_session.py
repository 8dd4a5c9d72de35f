"""The page's session cookie: a ticket is traded once, for an HttpOnly, SameSite=Strict cookie, Secure on https."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from core.settings import Settings
from ui.page_session import COOKIE, SessionTickets, install_page_session, ticket_html


def client_for(public_url: str) -> tuple[TestClient, SessionTickets]:
    app, tickets = FastAPI(), SessionTickets()
    install_page_session(app, Settings(public_url=public_url), tickets)
    return TestClient(app, base_url=public_url), tickets


def test_a_ticket_buys_one_httponly_strict_cookie() -> None:
    client, tickets = client_for("http://127.0.0.1:7860")
    ticket = tickets.issue("the-session-id")
    answer = client.post("/page/session", json={"ticket": ticket})
    assert answer.status_code == 204
    header = answer.headers["set-cookie"]
    assert header.startswith(f"{COOKIE}=the-session-id;") and "HttpOnly" in header
    assert "SameSite=strict" in header and "Secure" not in header
    assert client.post("/page/session", json={"ticket": ticket}).status_code == 404  # once only


def test_the_cookie_is_secure_behind_https_and_sign_out_drops_it() -> None:
    client, tickets = client_for("https://returns.example.com")
    answer = client.post("/page/session", json={"ticket": tickets.issue("sid-1")})
    assert "Secure" in answer.headers["set-cookie"]
    dropped = client.delete("/page/session").headers["set-cookie"]
    assert dropped.startswith(f'{COOKIE}=""') and "Max-Age=0" in dropped


def test_an_expired_or_unknown_ticket_buys_nothing() -> None:
    client, tickets = client_for("http://127.0.0.1:7860")
    tickets.ttl_s = -1
    assert client.post("/page/session", json={"ticket": tickets.issue("sid")}).status_code == 404
    assert client.post("/page/session", json={"ticket": "x" * 20}).status_code == 404
    assert "sid" not in ticket_html(SessionTickets().issue("sid"))  # the page sees the ticket, never the id
