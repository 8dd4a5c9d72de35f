"""Argument types shared by tools: the constraints show up in the JSON schema the model sees, and
arguments outside them come back as an `invalid_arguments` result before the tool runs."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

OrderId = Annotated[str, Field(min_length=2, max_length=32)]
Rma = Annotated[str, Field(min_length=4, max_length=20)]
TrackingNumber = Annotated[str, Field(min_length=4, max_length=40)]
Reason = Annotated[str, Field(max_length=500)]
