"""Claims a reply may make only with a tool behind them: actions done, and order numbers.

`check_reply` (agent/guardrails.py) already refuses RMA numbers, amounts and dates no tool produced.
A small model also says "your return has been cancelled" or "I've refunded order #10248963" when
nothing was cancelled, refunded or looked up. These two checks catch that, in English and Chinese:

- `unsupported_actions`: "returned / cancelled / refunded / exchanged" (已退货, 已取消, 已退款, 已换货 and
  close variants) stand only if a tool in this conversation did that action successfully
  (`create_return`, `cancel_return`, `cancel_order`, `exchange_items`), or a tool result reports that
  state (a return whose status is
  `refunded`, an item "already returned", a cancelled order). Help-centre passages are policy
  prose, not facts about this customer, so they back no claim.
- `unsupported_order_ids`: an order number (`#W1000001`, `#10248963`, "order 10248963") must have
  been written by the customer or produced by a tool.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from tools.model_view import sentences

_SOON = r"(?:(?:now|already|just|successfully|been|fully|all|also)\s+)*"
_DONE = r"(?:returned|cancell?ed|refunded|exchanged|replaced)"
EN_CLAIM = re.compile(
    rf"\b(?:has|have|had|was|were|is|are|got)\s+{_SOON}{_DONE}\b"
    rf"|\w+'(?:s|ve|re)\s+{_SOON}{_DONE}\b"
    rf"|\b(?:I|we)(?:'ve|'d|\s+have|\s+had)?\s+{_SOON}(?:gone ahead and\s+)?{_DONE}\b"
    rf"|\b(?:I|we)(?:'ve|\s+have)?\s+{_SOON}(?:processed|issued|initiated|created|submitted|completed|arranged)"
    r"\s+(?:your|the|a)\s+(?:full\s+)?(?:return|refund|exchange|replacement|cancellation)\b"
    rf"|\b(?:return|refund|exchange|replacement|cancellation)\s+(?:has been|have been|was|'s been|is now|is already)\s+"
    rf"{_SOON}(?:processed|issued|completed|done|approved|created|confirmed|submitted|initiated|sent)\b",
    re.IGNORECASE,
)
_ZH_ACT = r"(?:退货|退款|取消|换货|退回|退掉)"
ZH_CLAIM = re.compile(
    rf"已经?(?:为您|帮您|给您|替您)?(?:成功)?(?:办理|完成|提交|处理|申请|安排)?了?{_ZH_ACT}"
    rf"|{_ZH_ACT}(?:已经?|已)(?:成功|完成|办理好|处理好|到账|创建|提交|受理)"
    rf"|{_ZH_ACT}成功"
    rf"|(?:为您|帮您)(?:办理|完成|处理)了{_ZH_ACT}",
)
# Which action a claim is about, by the words in it (the first that matches).
ACTION_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("cancelled", re.compile(r"cancel|取消", re.IGNORECASE)),
    ("refunded", re.compile(r"refund|退款", re.IGNORECASE)),
    ("exchanged", re.compile(r"exchang|replac|换货", re.IGNORECASE)),
    ("returned", re.compile(r"return|退", re.IGNORECASE)),
]
# A successful call of one of these tools did the action.
ACTION_TOOLS = {
    "returned": {"create_return", "get_return_status"},
    "cancelled": {"cancel_return", "cancel_order"},
    "refunded": {"cancel_order", "change_order_payment"},
    "exchanged": {"exchange_items"},
}
# A tool result reporting the state backs a claim of it.
STATE_WORDS = {
    "returned": re.compile(r"\breturned\b|已退货|已退回", re.IGNORECASE),
    "cancelled": re.compile(r"\bcancell?ed\b|已取消", re.IGNORECASE),
    "refunded": re.compile(r"\brefunded\b|已退款", re.IGNORECASE),
    "exchanged": re.compile(r"\bexchanged\b|已换货", re.IGNORECASE),
}
POLICY_TOOLS = frozenset({"search_help_centre"})
MIN_QUOTE_CHARS = 8  # a shorter passage sentence ("- **PayPal**") is no quote worth exempting

ORDER_REF = re.compile(
    r"#\s?W?(\d{5,})\b|\bW(\d{5,})\b"
    r"|(?:\border|订单)\s*(?:number|no\.?|id|号码?|编号)?\s*[:：]?\s*(\d{5,})\b",
    re.IGNORECASE,
)
DIGIT_RUN = re.compile(r"\d{5,}")


def _succeeded(message: ToolMessage) -> bool:
    if message.status == "error":
        return False
    try:
        data = json.loads(message.content) if isinstance(message.content, str) else message.content
    except ValueError:
        return True  # a plain-text result is not a refusal
    return not (isinstance(data, dict) and data.get("ok") is False)


def _action_of(claim: str) -> str:
    return next(action for action, words in ACTION_WORDS if words.search(claim))


def claimed_actions(reply: str) -> list[tuple[str, str]]:
    """(action, the words that claim it) for every action `reply` says was done."""
    found = [match.group(0) for pattern in (EN_CLAIM, ZH_CLAIM) for match in pattern.finditer(reply)]
    return [(_action_of(claim), claim.strip()) for claim in found]


def unsupported_actions(reply: str, messages: Iterable[BaseMessage]) -> list[str]:
    """The words of `reply` that claim an action no tool in `messages` did or reported."""
    messages = list(messages)
    results = [m for m in messages if isinstance(m, ToolMessage) and m.name not in POLICY_TOOLS]
    done = {action for action, tools in ACTION_TOOLS.items() for m in results if m.name in tools and _succeeded(m)}
    reported = "\n".join(str(m.content) for m in results)
    return [
        claim
        for action, claim in claimed_actions(_without_quotes(reply, messages))
        if action not in done and not STATE_WORDS[action].search(reported)
    ]


def _without_quotes(reply: str, messages: list[BaseMessage]) -> str:
    """`reply` without the help-centre passages, or sentences of them, it quotes word for word ("a price
    difference is refunded when you confirm" is policy the customer reads, not a claim about their order)."""
    for message in messages:
        if isinstance(message, ToolMessage) and message.name in POLICY_TOOLS:
            try:
                data = json.loads(message.content) if isinstance(message.content, str) else message.content
            except ValueError:
                continue
            for passage in (data.get("passages") or []) if isinstance(data, dict) else []:
                if text := str(passage.get("text") or "").strip():
                    reply = reply.replace(text, " ")
                    # The model reads passages trimmed to some of their sentences (tools/model_view.py).
                    for sentence in sentences(text):
                        if len(quoted := sentence.strip().removeprefix("- ")) >= MIN_QUOTE_CHARS:
                            reply = reply.replace(quoted, " ")
    return reply


def unsupported_order_ids(reply: str, messages: Iterable[BaseMessage]) -> list[str]:
    """Order numbers in `reply` that neither the customer nor a tool wrote in `messages`."""
    seen = "\n".join(str(m.content) for m in messages if isinstance(m, HumanMessage | ToolMessage))
    known = set(DIGIT_RUN.findall(seen))
    return [
        match.group(0).strip()
        for match in ORDER_REF.finditer(reply)
        if next(g for g in match.groups() if g) not in known
    ]


def unsupported_claims(reply: AIMessage, messages: Sequence[BaseMessage]) -> list[str]:
    """Both checks on one reply. Order numbers are checked in model-written replies only: guided
    mode's text is code that cites tool results, and its menu shows a sample order on purpose."""
    text = str(reply.content)
    claims = unsupported_actions(text, messages)
    if (reply.response_metadata or {}).get("returndesk_mode") != "guided":
        claims += unsupported_order_ids(text, messages)
    return claims
