"""JSON report, its shape fixed by ``auditor/schemas/result.schema.json``."""

from __future__ import annotations

import json

from auditor.render import RenderOptions


def render(result, options: RenderOptions) -> str:
    return json.dumps(result.to_dict(options.fail_on), indent=2, ensure_ascii=False) + "\n"
