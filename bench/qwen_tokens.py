"""Qwen3's prompt, counted offline: its chat template (tool calling) rendered in Python, and its vocabulary.

The vocabulary is `qwen.tiktoken` as the PyPI package `dashscope` ships it: the byte-level BPE of
the Qwen family (151,643 merges, the same ranks as Qwen2/2.5/3), loaded with `tiktoken`, with
Qwen2's pre-tokenizer pattern (digits one by one) and Qwen3's added tokens (`<|im_start|>`,
`<tool_call>`, `<tool_response>` ...). `check_vocabulary()` holds it against token ids published
for Qwen3's tokenizer.

`render()` follows Qwen3-4B-Instruct-2507's chat template for an OpenAI request body (what vLLM
renders): the first system message, then the `# Tools` block with one `tojson` schema per line,
then every turn between `<|im_start|>` and `<|im_end|>`; tool calls as `<tool_call>` JSON, tool
results as `<tool_response>` blocks in a user turn.
"""

from __future__ import annotations

import base64
import json
from functools import lru_cache
from importlib.resources import files
from typing import Any

import tiktoken

# Qwen2's pre-tokenizer (tokenizer.json); Qwen3 kept it.
PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
ADDED_TOKENS = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|object_ref_start|>",
    "<|object_ref_end|>",
    "<|box_start|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_start|>",
    "<|vision_end|>",
    "<|vision_pad|>",
    "<|image_pad|>",
    "<|video_pad|>",
    "<tool_call>",
    "</tool_call>",
    "<|fim_prefix|>",
    "<|fim_middle|>",
    "<|fim_suffix|>",
    "<|fim_pad|>",
    "<|repo_name|>",
    "<|file_sep|>",
    "<tool_response>",
    "</tool_response>",
    "<think>",
    "</think>",
)
# Token ids of Qwen3's tokenizer (Qwen2TokenizerFast), as published in its users' tests.
KNOWN_IDS = {
    "Hello": [9707],
    " hello sir. How are you Edward?": [23811, 27048, 13, 2585, 525, 498, 21891, 30],
    "<|im_start|>user\n": [151644, 872, 198],
    "<tool_call>": [151657],
    "</think>": [151668],
}

TOOLS_HEAD = (
    "# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
    "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
)
TOOLS_TAIL = (
    "\n</tools>\n\nFor each function call, return a json object with function name and arguments "
    'within <tool_call></tool_call> XML tags:\n<tool_call>\n{"name": <function-name>, '
    '"arguments": <args-json-object>}\n</tool_call><|im_end|>\n'
)


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    ranks_file = files("dashscope") / "resources" / "qwen.tiktoken"
    ranks = {
        base64.b64decode(token): int(rank)
        for token, rank in (line.split() for line in ranks_file.read_text().splitlines() if line)
    }
    special = {token: len(ranks) + i for i, token in enumerate(ADDED_TOKENS)}
    return tiktoken.Encoding("qwen3", pat_str=PATTERN, mergeable_ranks=ranks, special_tokens=special)


def tokens(text: str) -> list[int]:
    return encoding().encode(text, allowed_special="all")


def check_vocabulary() -> None:
    for text, ids in KNOWN_IDS.items():
        got = tokens(text)
        if got != ids:
            raise AssertionError(f"qwen.tiktoken disagrees with Qwen3 on {text!r}: {got} != {ids}")


def tojson(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)  # the template's `tojson` (transformers: no ASCII escaping)


def render(body: dict[str, Any]) -> str:
    """The text the model server prefills for one chat request (`messages`, `tools`), generation prompt included."""
    messages, tools = body.get("messages", []), body.get("tools") or []
    out: list[str] = []
    first_system = bool(messages) and messages[0]["role"] == "system"
    if tools:
        out.append("<|im_start|>system\n")
        if first_system:
            out.append(text_of(messages[0]) + "\n\n")
        out.append(TOOLS_HEAD + "".join("\n" + tojson(tool) for tool in tools) + TOOLS_TAIL)
    elif first_system:
        out.append("<|im_start|>system\n" + text_of(messages[0]) + "<|im_end|>\n")
    for i, message in enumerate(messages):
        role, content = message["role"], text_of(message)
        if role == "user" or (role == "system" and i > 0):
            out.append(f"<|im_start|>{role}\n{content}<|im_end|>\n")
        elif role == "assistant":
            out.append(f"<|im_start|>assistant\n{content}")
            for n, call in enumerate(message.get("tool_calls") or []):
                if n or content:
                    out.append("\n")
                function = call.get("function", call)
                arguments = function["arguments"]
                out.append(
                    '<tool_call>\n{"name": "'
                    + function["name"]
                    + '", "arguments": '
                    + (arguments if isinstance(arguments, str) else tojson(arguments))
                    + "}\n</tool_call>"
                )
            out.append("<|im_end|>\n")
        elif role == "tool":
            if i == 0 or messages[i - 1]["role"] != "tool":
                out.append("<|im_start|>user")
            out.append(f"\n<tool_response>\n{content}\n</tool_response>")
            if i == len(messages) - 1 or messages[i + 1]["role"] != "tool":
                out.append("<|im_end|>\n")
    out.append("<|im_start|>assistant\n")
    return "".join(out)


def completion_text(reply: dict[str, Any]) -> str:
    """What the model decodes for one answer (an assistant message), up to and including `<|im_end|>`."""
    return (
        render({"messages": [{"role": "assistant", **reply}]})
        .removeprefix("<|im_start|>assistant\n")
        .removesuffix("<|im_start|>assistant\n")
    )


def text_of(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):  # OpenAI content parts
        return "".join(part.get("text", "") for part in content if isinstance(part, dict))
    return content if isinstance(content, str) else ""


def common_prefix(a: list[int], b: list[int]) -> int:
    n = min(len(a), len(b))
    i = 0
    while i < n and a[i] == b[i]:
        i += 1
    return i
