"""The closed vocabularies of the records, as ``Literal`` types: which kind of insurer, which
kind of plan. Kept apart from the models (and pydantic) so that a command that only checks a
``--plan-type`` against them does not build every model first."""

from __future__ import annotations

from typing import Literal

InsurerType = Literal["協会けんぽ", "健保組合", "共済組合", "国保組合", "市町村国保", "other"]
PlanType = Literal["business_plan", "data_health_plan", "tokutei_kenshin_plan", "other"]
