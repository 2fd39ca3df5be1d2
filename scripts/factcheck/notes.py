"""Reading the notes for the fact-check: a note's text, the numbers it states, its figure specs.

Every check compares a number written in a note with the same number computed here. A number is
found by a regular expression with one group around it, so editing the number in the note (or
rewording the sentence so the claim is gone) fails the check instead of passing silently.
"""

import math
import os
import re

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


class CheckFailed(Exception):
    pass


class Report:
    """Collects one line per claim; a failed claim does not stop the other checks."""

    def __init__(self):
        self.passed = 0
        self.failed = []

    def ok(self, note, claim, detail):
        self.passed += 1
        print(f"ok    {note}: {claim} ({detail})")

    def fail(self, note, claim, detail):
        self.failed.append(f"{note}: {claim}: {detail}")
        print(f"FAIL  {note}: {claim}: {detail}")


class Note:
    def __init__(self, report, root, rel):
        self.report = report
        self.rel = rel
        path = os.path.join(root, "content", rel)
        with open(path, encoding="utf-8") as f:
            self.text = f.read()

    def line_of(self, offset):
        return self.text.count("\n", 0, offset) + 1

    def find(self, pattern):
        """The match of `pattern` (a regex), or CheckFailed naming the note."""
        m = re.search(pattern, self.text)
        if m is None:
            raise CheckFailed(f"claim not found in the note (pattern {pattern!r})")
        return m

    def stated(self, pattern):
        """The number captured by the single group of `pattern`, with its line."""
        m = self.find(pattern)
        return m.group(1), self.line_of(m.start(1))

    def claim(self, claim, pattern, computed, rel=None, abs_tol=None):
        """The number the note states equals `computed` to the precision it is written with
        (0.142 means 0.1415 ≤ x < 0.1425; 1792 means exactly 1792), or within `rel`/`abs_tol`
        when the note says "约"."""
        try:
            text, line = self.stated(pattern)
        except CheckFailed as e:
            self.report.fail(self.rel, claim, str(e))
            return
        value = parse_number(text)
        if rel is not None:
            good = abs(value - computed) <= rel * abs(computed)
        elif abs_tol is not None:
            good = abs(value - computed) <= abs_tol
        else:
            good = abs(value - computed) <= half_unit(text) * (1 + 1e-9)
        detail = f"line {line}: note says {text}, computed {computed:.6g}"
        (self.report.ok if good else self.report.fail)(self.rel, claim, detail)

    def holds(self, claim, condition, detail):
        """A claim that is a property (an inequality, an identity) rather than one number."""
        (self.report.ok if condition else self.report.fail)(self.rel, claim, detail)

    def figures(self):
        """Every ```figure block as (spec dict, line of the block)."""
        out = []
        for m in re.finditer(r"^```figure\n(.*?)^```", self.text, re.S | re.M):
            out.append((parse_spec(m.group(1)), self.line_of(m.start())))
        return out

    def figure(self, kind, caption_part):
        """The one figure of `kind` whose caption contains `caption_part`."""
        found = [s for s, _ in self.figures() if s.get("kind") == kind and caption_part in s.get("caption", "")]
        if len(found) != 1:
            raise CheckFailed(f"expected one `{kind}` figure whose caption holds {caption_part!r}, found {len(found)}")
        return found[0]


def parse_number(text):
    text = text.replace("−", "-").replace(",", "").replace(" ", "")
    m = re.fullmatch(r"(-?[\d.]+)(?:\\times10\^\{(-?\d+)\})?", text)
    if m is None:
        raise CheckFailed(f"not a number: {text!r}")
    value = float(m.group(1))
    if m.group(2):
        value *= 10 ** int(m.group(2))
    return value


def half_unit(text):
    """Half of the last written digit's place: the rounding a stated number allows."""
    text = text.replace("−", "-").replace(",", "").replace(" ", "")
    m = re.fullmatch(r"-?\d*(?:\.(\d+))?(?:\\times10\^\{(-?\d+)\})?", text)
    decimals = len(m.group(1) or "")
    exponent = int(m.group(2) or 0)
    return 0.5 * 10 ** (exponent - decimals)


# --- the YAML subset figure specs use -------------------------------------------------------


def parse_spec(body):
    spec = {}
    key = None
    for raw in body.split("\n"):
        if not raw.strip():
            continue
        if raw.startswith("  - ") or raw.startswith("- "):
            spec[key].append(parse_value(raw.split("- ", 1)[1].strip()))
            continue
        k, _, v = raw.partition(":")
        key = k.strip()
        spec[key] = parse_value(v.strip()) if v.strip() else []
    return spec


def parse_value(v):
    if v.startswith("[") and v.endswith("]"):
        return [parse_value(p) for p in split_top(v[1:-1])]
    if v.startswith("{") and v.endswith("}"):
        items = (p.partition(":") for p in split_top(v[1:-1]))
        return {k.strip(): parse_value(x.strip()) for k, _, x in items}
    if len(v) >= 2 and v[0] == v[-1] == '"':
        return v[1:-1]
    try:
        return int(v)
    except ValueError:
        pass
    try:
        return float(v)
    except ValueError:
        return v


def split_top(s):
    """Splits on commas outside brackets, braces and quotes."""
    parts, depth, quote, cur = [], 0, False, ""
    for ch in s:
        if ch == '"':
            quote = not quote
        elif not quote and ch in "[{":
            depth += 1
        elif not quote and ch in "]}":
            depth -= 1
        if ch == "," and depth == 0 and not quote:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        parts.append(cur.strip())
    return parts


# --- expressions of `function` and `optimizer` figures ---------------------------------------


def sigmoid(x):
    return 1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x))


def gelu(x):
    return 0.5 * x * (1 + math.erf(x / math.sqrt(2)))


def silu(x):
    return x * sigmoid(x)


def elu(x, alpha=1.0):
    return x if x > 0 else alpha * (math.exp(x) - 1)


NAMES = {
    "exp": math.exp, "ln": math.log, "log": math.log, "sqrt": math.sqrt, "abs": abs,
    "sin": math.sin, "cos": math.cos, "tanh": math.tanh, "sigmoid": sigmoid, "erf": math.erf,
    "softplus": lambda x: math.log1p(math.exp(x)), "max": max, "min": min,
    "relu": lambda x: max(0.0, x), "gelu": gelu, "silu": silu, "swish": silu, "elu": elu,
    "pi": math.pi, "e": math.e,
}


def expression(text, variables=("x",)):
    """A figure expression as a Python function of its variables (`^` is a power)."""
    code = compile(text.replace("^", "**"), "<figure>", "eval")
    names = dict(NAMES)

    def f(*values):
        names.update(zip(variables, values))
        return eval(code, {"__builtins__": {}}, names)

    return f
