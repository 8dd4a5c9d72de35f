"""The tool schemas the model reads: LangChain's OpenAI schemas, less what only a validator needs.

Every model call prefills the whole tool list, so each key costs tokens on every call. The tools
still validate their arguments with their own pydantic models (a bad call comes back as
`invalid_arguments`); the model needs names, types, enums, defaults, required fields and the
descriptions, not pydantic's titles, length bounds or `anyOf [..., null]` for optional arguments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

# Keywords a validator needs and the model does not (the tool's own args schema still enforces them).
VALIDATION_ONLY = frozenset({"title", "minLength", "maxLength", "minItems", "maxItems", "minimum", "maximum"})


def model_tool_schemas(tools: Sequence[BaseTool]) -> list[dict[str, Any]]:
    """The OpenAI `tools` entries for `tools`, compacted (same names, arguments and descriptions)."""
    schemas = []
    for tool in tools:
        schema = convert_to_openai_tool(tool)
        schema["function"]["parameters"] = compact(schema["function"].get("parameters", {}))
        schemas.append(schema)
    return schemas


def compact(schema: Any) -> Any:
    if isinstance(schema, list):
        return [compact(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    out = {
        key: compact(value)
        for key, value in schema.items()
        if key not in VALIDATION_ONLY or (key == "title" and isinstance(value, dict))
    }  # a property named title
    if "properties" in schema:  # property names are data here, not keywords: keep every one
        out["properties"] = {name: compact(value) for name, value in schema["properties"].items()}
    variants = out.get("anyOf")
    if isinstance(variants, list) and len(variants) == 2 and {"type": "null"} in variants:
        # Optional[X] with default None: the argument is simply left out, so say X.
        inner = next(v for v in variants if v != {"type": "null"})
        out.pop("anyOf")
        if out.get("default", "") is None:
            out.pop("default")
        out = {**inner, **out}
    return out
