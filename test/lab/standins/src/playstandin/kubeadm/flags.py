"""Command-line parsing with cobra/pflag rules: --f=v, --f v, -f v, bool flags bare."""

from __future__ import annotations

from ..errors import StandinError


class Flags:
    """Known flags for one command: name -> "bool" | "string" | "list" (repeatable / comma list)."""

    def __init__(self, spec: dict, short: dict | None = None):
        self.spec = {"v": "string", "rootfs": "string", "help": "bool", **spec}
        self.short = {"h": "help", **(short or {})}

    def parse(self, argv: list) -> tuple:
        values, positionals, given = {}, [], []
        items = list(argv)
        while items:
            arg = items.pop(0)
            if arg == "--":
                positionals.extend(items)
                break
            if not arg.startswith("-") or arg == "-":
                positionals.append(arg)
                continue
            name, has_value, value = arg.lstrip("-").partition("=")
            if not arg.startswith("--"):
                if len(name) > 1 and name[0] in self.short and not has_value:
                    name, value, has_value = name[0], name[1:], True     # -oyaml
                name = self.short.get(name, None) or self._unknown(arg, shorthand=True)
            kind = self.spec.get(name) or self._unknown(arg)
            if kind == "bool":
                values[name] = (value.lower() != "false") if has_value else True
            else:
                if not has_value:
                    if not items:
                        raise StandinError(f"flag needs an argument: --{name}")
                    value = items.pop(0)
                if kind == "list":
                    values.setdefault(name, []).extend(v for v in value.split(",") if v)
                else:
                    values[name] = value
            given.append(name)
        return values, positionals, given

    @staticmethod
    def _unknown(arg: str, shorthand: bool = False):
        if shorthand:
            raise StandinError(f"unknown shorthand flag: '{arg.lstrip('-')[0]}' in {arg}")
        raise StandinError(f"unknown flag: {arg.split('=')[0]}")
