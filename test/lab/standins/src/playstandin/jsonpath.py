"""The part of kubectl's -o jsonpath that scripts use: fields, [*], [N], filters and range."""
import json
import re

_TOKEN = re.compile(r"\{(.*?)\}", re.S)


def _steps(expression: str) -> list:
    steps = []
    for match in re.finditer(r"\.([\w\-/]+)|\[(\*|\d+|\?\(@\.([\w.]+)\s*==\s*[\"']([^\"']*)[\"']\))\]", expression):
        if match.group(1):
            steps.append(("field", match.group(1)))
        elif match.group(2) == "*":
            steps.append(("all", None))
        elif match.group(3):
            steps.append(("filter", (match.group(3), match.group(4))))
        else:
            steps.append(("index", int(match.group(2))))
    return steps


def _walk(values: list, steps: list) -> list:
    for kind, arg in steps:
        nxt = []
        for value in values:
            if kind == "field" and isinstance(value, dict) and arg in value:
                nxt.append(value[arg])
            elif kind == "all":
                nxt.extend(value if isinstance(value, list) else list(value.values()) if isinstance(value, dict) else [])
            elif kind == "index" and isinstance(value, list) and -len(value) <= arg < len(value):
                nxt.append(value[arg])
            elif kind == "filter" and isinstance(value, list):
                path, expected = arg
                for item in value:
                    found = _walk([item], [("field", p) for p in path.split(".")])
                    if found and str(found[0]) == expected:
                        nxt.append(item)
        values = nxt
    return values


def _text(value) -> str:
    return json.dumps(value) if isinstance(value, (dict, list)) else ("true" if value is True else "false" if value is False else str(value))


def render(template: str, data) -> str:
    template = template.strip("'")
    if "{" not in template:
        template = "{" + template + "}"
    parts = re.split(r"(\{.*?\})", template)
    return _render(parts, [data], data)


def _render(parts: list, scope: list, root) -> str:
    out, index = [], 0
    while index < len(parts):
        part = parts[index]
        if not (part.startswith("{") and part.endswith("}")):
            out.append(part)
            index += 1
            continue
        inner = part[1:-1].strip()
        if inner.startswith("range "):
            depth, end = 1, index + 1
            while end < len(parts) and depth:
                token = parts[end][1:-1].strip() if parts[end].startswith("{") else ""
                depth += token.startswith("range ") - (token == "end")
                end += 1
            items = _walk(scope, _steps(inner[len("range "):]))
            for item in items:
                out.append(_render(parts[index + 1:end - 1], [item], root))
            index = end
            continue
        if inner.startswith('"') and inner.endswith('"'):
            out.append(json.loads(inner, strict=False))
        else:
            base = [root] if inner.startswith("$") else scope
            out.append(" ".join(_text(v) for v in _walk(base, _steps(inner.lstrip("$")))))
        index += 1
    return "".join(out)
