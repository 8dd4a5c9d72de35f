"""Guardrails: an input screen before the model, and an output check after it.

Both are deterministic code (keyword tables and patterns): a 4B model is no reliable judge of
jailbreaks, and a guardrail that cannot be tested is no guardrail.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Literal

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, RemoveMessage, ToolMessage
from langgraph.graph import END
from langgraph.types import Command

from agent.prompts import reply_feedback
from agent.reply_claims import unsupported_claims
from agent.state import ReturnDeskState, reasoner_for
from core.messages import t
from core.money import parse_amount
from core.references import EXCHANGE_NUMBER, RMA_NUMBER

Verdict = Literal["ok", "off_topic", "abusive", "jailbreak", "wants_human"]

JAILBREAK = re.compile(
    r"(ignore|disregard|forget|bypass|override)\b.{0,30}\b(rules?|instructions?|polic(y|ies)|guidelines?|prompt|restrictions?)"
    r"|system prompt|developer mode|jailbreak|\bDAN\b|you are now\b"
    r"|pretend (to be|you are)|act as (an? )?(admin|developer|system)"
    r"|忽略.{0,8}(规则|指令|提示|政策|限制)|无视.{0,8}(规则|指令|政策|限制)|系统提示|越狱|假装你是|你现在是",
    re.IGNORECASE,
)
ABUSIVE = re.compile(
    r"\bf+u+c+k+(ing)? (you|off)\b|\bshut up\b|\byou('re| are) (an? )?(idiot|moron|stupid|useless|dumb)\b"
    r"|\bbitch\b|\basshole\b"
    r"|傻逼|傻b|去死|滚开|你是(白痴|废物|傻子)|你妈",
    re.IGNORECASE,
)
WANTS_HUMAN = re.compile(
    r"\b(human|real person|live (agent|person|chat)|representative|operator)\b"
    r"|\b(speak|talk|chat) (to|with) (an? |a real |some)?(agent|person|someone|somebody|colleague|manager)\b"
    r"|人工|真人|转接|客服人员",
    re.IGNORECASE,
)
OFF_TOPIC = re.compile(
    r"\b(write|compose) (me )?(a |an )?(poem|song|story|essay|code|program|script)\b|\bcapital of\b|\bweather\b"
    r"|\bstock (price|market)\b|\bbitcoin\b|\brecipe\b|\bhomework\b|\btell me a joke\b|\bpresident\b|\belection\b"
    r"|写(一首|一篇|个)?(诗|歌|作文|代码|程序)|天气|股票|比特币|菜谱|作业|讲个笑话|总统|选举",
    re.IGNORECASE,
)
SHOP_WORDS = re.compile(
    r"order|return|refund|parcel|package|deliver|ship|track|item|rma|#?W\d{7}|订单|退|快递|物流|包裹|商品",
    re.IGNORECASE,
)

# What the input screen answers, by verdict (catalogue keys `guardrail.*`), with the menu's buttons.
TURN_AWAY_BUTTONS = ("return", "track", "handoff")


def screen(text: str) -> Verdict:
    """What the input screen makes of one customer message. Order matters: a jailbreak that also
    asks for a refund is still a jailbreak."""
    if JAILBREAK.search(text):
        return "jailbreak"
    if ABUSIVE.search(text):
        return "abusive"
    if WANTS_HUMAN.search(text):
        return "wants_human"
    if OFF_TOPIC.search(text) and not SHOP_WORDS.search(text):
        return "off_topic"
    return "ok"


def screen_input(state: ReturnDeskState) -> Command[Literal["identify", "assist", "handoff", "__end__"]]:
    """First node of every turn: turn away what the agent must not engage with, route the rest."""
    messages = state.get("messages", [])
    last = messages[-1] if messages else None
    verdict = screen(str(last.content)) if isinstance(last, HumanMessage) else "ok"
    fresh_turn = {"reply_retries": 0, "reply_feedback": None, "handoff_reason": None}
    if verdict == "wants_human":
        return Command(goto="handoff", update={**fresh_turn, "handoff_reason": "customer_asked"})
    if verdict != "ok":
        language = state.get("language") or "en"
        reply = AIMessage(
            content=t(f"guardrail.{verdict}", language),
            response_metadata={
                "returndesk_mode": "guided",
                "returndesk_guardrail": verdict,
                "quick_replies": [t(f"guided.button.{b}", language) for b in TURN_AWAY_BUTTONS],
            },
        )
        return Command(goto=END, update={**fresh_turn, "messages": [reply]})  # type: ignore[arg-type]  # END is a str
    return Command(goto=reasoner_for(state), update=fresh_turn)


# --- output check -----------------------------------------------------------------------------
AMOUNT = re.compile(
    r"(?:[$¥€£]|\b(?:USD|CNY|RMB)\s?)\s?(\d[\d,]*(?:\.\d{1,2})?)"
    r"|(\d[\d,]*\.\d{2})(?!\d)"
    r"|(\d[\d,]*(?:\.\d{1,2})?)\s?(?:元|美元|dollars?\b|USD\b)",
    re.IGNORECASE,
)
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
ISO_DATE = re.compile(r"\b(20\d{2})-(\d{1,2})-(\d{1,2})")
ZH_DATE = re.compile(r"(?:(20\d{2})年)?(\d{1,2})月(\d{1,2})[日号]")
EN_DATE = re.compile(
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b"
    r"|\b(\d{1,2})(?:st|nd|rd|th)?\s+(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b",
    re.IGNORECASE,
)


def _money(raw: str) -> Decimal | None:
    try:
        return Decimal(raw.replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation:
        return None


def _dates(text: str) -> set[tuple[int, int]]:
    """(month, day) of every date written in `text`; the year is checked with the month and day."""
    found = {(int(m), int(d)) for _y, m, d in ISO_DATE.findall(text)}
    found |= {(int(m), int(d)) for _y, m, d in ZH_DATE.findall(text)}
    for mon1, day1, day2, mon2 in EN_DATE.findall(text):
        month = MONTHS.index((mon1 or mon2).lower()[:3]) + 1
        found.add((month, int(day1 or day2)))
    return found


def unsupported_facts(reply: str, messages: Sequence[BaseMessage], language: str | None = None) -> list[str]:
    """RMA numbers, amounts and dates in `reply` that no tool result in `messages` contains.
    Tool results hold plain amounts ("89.99"); the reply's are read as its `language` writes them."""
    produced = "\n".join(str(m.content) for m in messages if isinstance(m, ToolMessage))
    known_rmas = {r.upper() for pattern in (RMA_NUMBER, EXCHANGE_NUMBER) for r in pattern.findall(produced)}
    known_amounts = {_money(n) for n in NUMBER.findall(produced)}
    known_dates = _dates(produced)
    facts = [
        r for pattern in (RMA_NUMBER, EXCHANGE_NUMBER) for r in pattern.findall(reply) if r.upper() not in known_rmas
    ]
    for match in AMOUNT.finditer(reply):
        raw = next(g for g in match.groups() if g)
        if parse_amount(raw, language) not in known_amounts:
            facts.append(match.group(0).strip())
    without_rmas = EXCHANGE_NUMBER.sub("", RMA_NUMBER.sub("", reply))
    facts += [f"{m}/{d}" for m, d in sorted(_dates(without_rmas) - known_dates)]
    return facts


def check_reply(state: ReturnDeskState) -> Command[Literal["identify", "assist", "__end__"]]:
    """Last node of a turn: a reply may state an RMA, amount or date only if a tool produced it, an
    order number only if the customer or a tool wrote it, and an action as done (returned, cancelled,
    refunded, exchanged) only if a tool did or reported it (agent/reply_claims.py).
    Otherwise the model writes it again once; a second miss is replaced by a safe message."""
    messages = state.get("messages", [])
    reply = messages[-1]
    if not isinstance(reply, AIMessage):
        return Command(goto=END)  # type: ignore[arg-type]  # langgraph types END as str
    language = state.get("language") or "en"
    facts = unsupported_facts(str(reply.content), messages, language) + unsupported_claims(reply, messages)
    if not facts:
        return Command(goto=END)  # type: ignore[arg-type]  # langgraph types END as str
    if state.get("reply_retries", 0) < 1:
        return Command(
            goto=reasoner_for(state),
            update={
                "messages": [RemoveMessage(id=reply.id or "")],
                "reply_feedback": reply_feedback(language, facts),
                "reply_retries": state.get("reply_retries", 0) + 1,
            },
        )
    safe = AIMessage(
        id=reply.id,
        content=t("guardrail.safe_reply", language),
        response_metadata={
            **reply.response_metadata,
            "returndesk_guardrail": "replaced",
            "returndesk_unsupported": facts,
        },
    )
    return Command(goto=END, update={"messages": [safe]})  # type: ignore[arg-type]  # langgraph types END as str
