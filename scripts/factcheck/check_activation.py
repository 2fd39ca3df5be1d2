"""Checks of the notes in content/activation/."""

import math

from notes import expression, gelu, sigmoid, silu


def d(f, x, h=1e-6):
    return (f(x + h) - f(x - h)) / (2 * h)


def argmin(f, lo, hi):
    for _ in range(200):
        a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        lo, hi = (lo, b) if f(a) < f(b) else (a, hi)
    return (lo + hi) / 2


def bisect(f, lo, hi):
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(lo) * f(mid) > 0 else (lo, mid)
    return (lo + hi) / 2


def dsigmoid(x):
    return sigmoid(x) * (1 - sigmoid(x))


def dtanh(x):
    return 1 - math.tanh(x) ** 2


def crossover():
    """|x| where tanh′(x) = σ′(x)."""
    return bisect(lambda x: dtanh(x) - dsigmoid(x), 0.5, 5)


def activation_functions(note):
    note.claim("tanh′ < σ′ beyond |x| = 1.66", r"\$\|x\| > ([\d.]+)\$ 时 \$\\tanh'\(x\) < \\sigma'\(x\)\$", crossover())
    xs = [i / 100 for i in range(-600, 601)]
    note.holds("tanh(x) = 2σ(2x) − 1", all(math.isclose(math.tanh(x), 2 * sigmoid(2 * x) - 1, abs_tol=1e-12) for x in xs), "x in [−6, 6]")
    note.holds("tanh′(x) = 4σ′(2x)", all(math.isclose(dtanh(x), 4 * dsigmoid(2 * x), abs_tol=1e-12) for x in xs), "x in [−6, 6]")
    note.holds("σ′ ≤ 1/4 with the maximum at 0", max(dsigmoid(x) for x in xs) == dsigmoid(0) == 0.25, "")
    note.claim("tanh′(0) / σ′(0)", r"在 0 处梯度是 Sigmoid 的 (\d+) 倍", dtanh(0) / dsigmoid(0))
    spec = note.figure("function", "常用激活函数")
    alpha = [s for s in spec["series"] if str(s).startswith("leaky_relu(")]
    note.holds("figure: the legend's α is the series' α", len(alpha) == 1 and f"α={alpha[0][11:-1]}" in " ".join(spec["labels"]), f"{alpha} / {spec['labels']}")


def vanishing_exploding(note):
    note.claim("the same crossover 1.66", r"但 \$\|x\| > ([\d.]+)\$ 时反而比", crossover())
    spec = note.figure("function", "Sigmoid 与 tanh 的导数")
    f = [expression(s) for s in spec["series"]]
    xs = [i / 100 for i in range(-600, 601)]
    note.holds("figure: σ′ never exceeds 0.25", all(f[0](x) <= 0.25 + 1e-15 for x in xs), "")
    note.holds("figure: the curves cross at ±1.66", all((f[1](x) > f[0](x)) == (abs(x) < crossover()) for x in xs), "")
    spec = note.figure("function", "梯度随层数的变化")
    note.holds("figure: factors 0.25, 0.9, 1.1", spec["series"] == ["0.25^x", "0.9^x", "1.1^x"], str(spec["series"]))


def gelu_silu_elu(note):
    x = argmin(gelu, -3, 0)
    note.claim("GELU's minimum value", r"最小值约为 \$(-[\d.]+)\$，在", gelu(x))
    note.claim("GELU's minimum at", r"在 \$x \\approx (-[\d.]+)\$ 处。", x)
    dg = lambda t: d(gelu, t)
    top = argmin(lambda t: -dg(t), 0, 5)
    note.claim("GELU′ is largest at √2", r"在 \$x = \\sqrt 2 \\approx ([\d.]+)\$ 处", top)
    note.claim("GELU′ max", r"达到最大值约 ([\d.]+)：", dg(top))
    xs = argmin(silu, -3, 0)
    note.claim("SiLU's minimum value", r"最小值约为 \$(-[\d.]+)\$（在", silu(xs))
    note.claim("SiLU's minimum at", r"（在 \$x \\approx (-[\d.]+)\$ 处）", xs)
    ds = lambda t: d(silu, t)
    tops = argmin(lambda t: -ds(t), 0, 6)
    note.claim("SiLU′ max", r"导数最大约 ([\d.]+)（", ds(tops))
    note.claim("SiLU′ max at", r"（在 \$x \\approx ([\d.]+)\$ 处）。PyTorch", tops)
    note.claim("short answer: GELU min", r"GELU 约 \$(-[\d.]+)\$", gelu(x))
    note.claim("short answer: SiLU min", r"SiLU 约 \$(-[\d.]+)\$", silu(xs))
    grid = [i / 100 for i in range(-600, 601)]
    note.holds("SiLU′ = σ(x)(1 + x(1 − σ(x)))", all(math.isclose(ds(t), sigmoid(t) * (1 + t * (1 - sigmoid(t))), abs_tol=1e-6) for t in grid), "")
    note.holds("GELU′ = Φ(x) + xφ(x)", all(math.isclose(dg(t), 0.5 * (1 + math.erf(t / math.sqrt(2))) + t * math.exp(-t * t / 2) / math.sqrt(2 * math.pi), abs_tol=1e-6) for t in grid), "")
    approx = lambda t: 0.5 * t * (1 + math.tanh(math.sqrt(2 / math.pi) * (t + 0.044715 * t**3)))
    worst = max(abs(approx(t) - gelu(t)) for t in grid)
    note.holds("the tanh approximation of GELU is within 0.001", worst < 1e-3, f"max error {worst:.2e}")
    note.holds("ELU′ = α·eˣ on x ≤ 0, continuous at 0 when α = 1", math.isclose(d(lambda t: math.exp(t) - 1, -1e-7), 1, rel_tol=1e-5), "")


def softmax(z, t=1.0):
    m = max(z)
    e = [math.exp((v - m) / t) for v in z]
    s = sum(e)
    return [v / s for v in e]


def softmax_note(note):
    for pattern, t in ((r"\$z = \[2, 1, 0\.1\]\$ 时 \$p \\approx \[([\d., ]+)\]\$", 1.0), (r"\$T = 2\$ 时 \$p \\approx \[([\d., ]+)\]\$", 2.0)):
        text, line = note.stated(pattern)
        stated = [float(v) for v in text.split(",")]
        got = softmax([2, 1, 0.1], t)
        note.holds(f"softmax([2, 1, 0.1]) at T = {t:g} (line {line})", all(abs(a - b) <= 0.0005 for a, b in zip(stated, got)), f"note {stated}, computed {[round(v, 4) for v in got]}")
    note.holds("two classes: p₁ = σ(z₁ − z₂)", all(math.isclose(softmax([a, b])[0], sigmoid(a - b)) for a in (-3, 0, 2.5) for b in (-1, 0, 4)), "")
    note.holds("shift invariance keeps e^1000 finite", math.isclose(softmax([1000, 999])[0], sigmoid(1)), "softmax([1000, 999])")
    try:
        math.exp(1000)
        overflow = False
    except OverflowError:
        overflow = True
    note.holds("e^1000 overflows a double", overflow, "math.exp(1000)")
    note.claim("float32 overflows near e^88.7", r"单精度更早（约 \$e\^\{([\d.]+)\}\$）", math.log(3.4028234663852886e38))
    z, y = [0.5, -1.0, 2.0], [0, 1, 0]
    loss = lambda zz: -math.log(softmax(zz)[1])
    p = softmax(z)
    grad = [(loss([v + (1e-6 if i == j else 0) for i, v in enumerate(z)]) - loss([v - (1e-6 if i == j else 0) for i, v in enumerate(z)])) / 2e-6 for j in range(3)]
    note.holds("∂L/∂z = p − y for softmax + cross-entropy", all(math.isclose(g, pi - yi, abs_tol=1e-6) for g, pi, yi in zip(grad, p, y)), f"{[round(g, 4) for g in grad]}")
    spec = note.figure("function", "两类 softmax")
    temps = [0.5, 1, 2]
    fs = [expression(s) for s in spec["series"]]
    note.holds("figure: σ(x/T) for T = 0.5, 1, 2", all(math.isclose(f(1.3), sigmoid(1.3 / t)) for f, t in zip(fs, temps)), str(spec["labels"]))


CHECKS = {
    "activation/activation-functions.md": activation_functions,
    "activation/vanishing-exploding-gradients.md": vanishing_exploding,
    "activation/gelu-silu-elu.md": gelu_silu_elu,
    "activation/softmax.md": softmax_note,
}
