"""Checks of the notes in content/training/."""

import math
import random
from fractions import Fraction

from notes import expression
from check_optimization import descend, gradient_of


def batch_normalization(note):
    x = [1.0, 2.0, 3.0, 6.0]
    n = len(x)
    mean = sum(x) / n
    var = sum((v - mean) ** 2 for v in x) / n
    unbiased = var * n / (n - 1)
    note.claim("mean of [1, 2, 3, 6]", r"均值为 (\d+)，方差", mean)
    note.claim("biased variance", r"= ([\d.]+)\$，标准化后", var)
    text, _ = note.stated(r"标准化后约为 \$\[([-\d., ]+)\]\$")
    stated = [float(t) for t in text.split(",")]
    normed = [(v - mean) / math.sqrt(var + 1e-5) for v in x]
    note.holds("normalized values", all(abs(a - b) <= 0.0005 for a, b in zip(stated, normed)), f"note {stated}, computed {[round(v, 4) for v in normed]}")
    mu_n = sum(normed) / n
    var_n = sum((v - mu_n) ** 2 for v in normed) / n
    note.holds("normalized: mean 0, variance 1 (up to ε)", abs(mu_n) < 1e-12 and abs(var_n - 1) < 1e-5, f"{mu_n:.2g}, {var_n:.6f}")
    note.claim("running_mean after one step", r"0\.1 \\times 3 = ([\d.]+)\$", 0.9 * 0 + 0.1 * mean)
    note.claim("running_var after one step (unbiased 14/3)", r"\\frac\{14\}\{3\} \\approx ([\d.]+)\$", 0.9 * 1 + 0.1 * unbiased)
    note.holds("14/3 is the unbiased variance", math.isclose(unbiased, 14 / 3), f"{unbiased}")
    steps = math.ceil(math.log(0.1) / math.log(0.9))
    note.claim("the EMA covers 90% after about 22 steps", r"约 (\d+) 步后才走完 90% 的距离", steps)
    spec = note.figure("function", "running_mean")
    note.holds("figure caption says the same 22 steps", f"约 {steps} 步" in spec["caption"], spec["caption"])
    f = expression(spec["series"][0])
    note.holds("figure: 3·(1 − 0.9ᵗ) reaches 90% of 3 at step 22, not 21", f(22) >= 2.7 > f(21), f"{f(21):.4f}, {f(22):.4f}")
    # Folding BN into the conv: a·(w·x + b − μ̂) + β with a = γ/√(σ̂² + ε).
    rng = random.Random(2)
    w, b, g, beta, rm, rv, xin = (rng.uniform(-2, 2) for _ in range(7))
    rv = abs(rv)
    bn = g * ((w * xin + b) - rm) / math.sqrt(rv + 1e-5) + beta
    a = g / math.sqrt(rv + 1e-5)
    note.holds("BN folds into the conv: weight ×a, bias a(b − μ̂) + β", math.isclose(bn, a * w * xin + a * (b - rm) + beta), "random values")


def normalization_layers(note):
    n, c, h, w, g = 8, 64, 56, 56, 32
    note.claim("BN: N·H·W", r"\$8 \\times 56 \\times 56 = (\d+)\$", n * h * w)
    note.claim("LN: C·H·W", r"\$64 \\times 56 \\times 56 = (\d+)\$", c * h * w)
    note.claim("IN: H·W", r"\$56 \\times 56 = (\d+)\$ 个", h * w)
    note.claim("GN: (C/G)·H·W", r"\$2 \\times 56 \\times 56 = (\d+)\$", c // g * h * w)
    spec = note.figure("bar", "每个均值/方差")
    note.holds("figure's bars are these counts", spec["series"][0]["values"] == [n * h * w, c * h * w, h * w, c // g * h * w], str(spec["series"][0]["values"]))
    axes = note.figure("norm-axes", "共用一组统计量")
    n4, c6, g2 = axes["n"], axes["c"], axes["groups"]
    shares = {
        "BN": [(i, 0) for i in range(n4)],
        "LN": [(0, j) for j in range(c6)],
        "IN": [(0, 0)],
        "GN": [(0, j) for j in range(c6 // g2)],
    }
    for name, cells in shares.items():
        note.claim(f"norm-axes figure: {name} shares cell (0, 0)'s statistic with {len(cells)} cells", name + r" (\d+) 个", len(cells))
    note.holds("the caption states the figure's N, C and groups", f"N = {n4}" in axes["caption"] and f"C = {c6}" in axes["caption"] and f"分 {g2} 组" in axes["caption"], axes["caption"])
    # GN with G = 1 is LN, with G = C is IN: compare the groups of (channel) indices.
    groups = lambda G: [set(range(k * c // G, (k + 1) * c // G)) for k in range(G)]
    note.holds("GN with G = 1 covers LN's cells, with G = C IN's", groups(1) == [set(range(c))] and groups(c) == [{i} for i in range(c)], "channel sets")


def relu_mlp_std(width, layers, std_w, batch, seed):
    """Std of the pre-activations of each layer of a ReLU MLP fed unit-variance inputs."""
    rng = random.Random(seed)
    xs = [[rng.gauss(0, 1) for _ in range(width)] for _ in range(batch)]
    out = []
    for layer in range(layers):
        wm = [[rng.gauss(0, std_w) for _ in range(width)] for _ in range(width)]
        zs = [[sum(wi * xi for wi, xi in zip(row, x)) for row in wm] for x in xs]
        out.append(math.sqrt(sum(z * z for zz in zs for z in zz) / (width * batch)))
        xs = [[max(0.0, z) for z in zz] for zz in zs]
    return out


def tanh_layers(gain, layers, points=2001, span=8.0):
    """Std of tanh activations per layer of an infinitely wide network (mean-field recursion)."""
    h = 2 * span / (points - 1)
    nodes = [(-span + i * h, math.exp(-((-span + i * h) ** 2) / 2) / math.sqrt(2 * math.pi) * h) for i in range(points)]
    q, out = float(gain), []
    for _ in range(layers):
        second = sum(w * math.tanh(math.sqrt(q) * x) ** 2 for x, w in nodes)
        out.append(math.sqrt(second))
        q = gain * second
    return out


def weight_initialization(note):
    n = 256
    note.claim("He std √(2/256)", r"标准差 \$([\d.]+)\$，比值为 1", math.sqrt(2 / n))
    note.claim("Xavier std √(2/512)", r"标准差 \$([\d.]+)\$，比值为 0\.5", math.sqrt(2 / (n + n)))
    note.claim("Xavier ratio ½·256·2/512", r"比值为 ([\d.]+)，每层标准差乘", 0.5 * n * 2 / (n + n))
    note.claim("Xavier after 20 layers 2^−10", r"2\^\{-10\} \\approx ([\d.]+)\$", 2**-10)
    note.claim("N(0, 0.01²) ratio ½·256·10⁻⁴", r"\\times 10\^\{-4\} = ([\d.]+)\$", 0.5 * n * 1e-4)
    note.claim("N(0, 0.01²) after 20 layers", r"20 层后约为 \$10\^\{(-\d+)\}\$", math.log10(0.0128**10), abs_tol=0.5)
    rng = random.Random(3)
    half = sum(max(0.0, rng.gauss(0, 1)) ** 2 for _ in range(200000)) / 200000
    note.holds("E[ReLU(z)²] = Var(z)/2 for symmetric z", abs(half - 0.5) < 0.01, f"{half:.4f} from 200,000 normal samples")
    note.holds("U[−a, a] has variance a²/3, so a = √(6/(n_in + n_out))", math.isclose((math.sqrt(6 / 512)) ** 2 / 3, 2 / 512), "")
    note.holds("PyTorch's default kaiming_uniform_(a=√5): bound 1/√n, variance 1/(3n)",
               math.isclose(math.sqrt(2 / (1 + 5)) * math.sqrt(3 / n), 1 / math.sqrt(n)) and math.isclose((1 / math.sqrt(n)) ** 2 / 3, 1 / (3 * n)), "gain √(2/(1+a²))")
    spec = note.figure("line", "ReLU 网络")
    layers = spec["x"]
    for s in spec["series"]:
        var_w = {"He": 2 / n, "Xavier": 2 / (n + n)}.get(s["label"], 1e-4)
        expect = [math.sqrt(0.5 * n * var_w) ** l for l in layers]
        good = all(math.isclose(v, e, rel_tol=0.006) for v, e in zip(s["values"], expect))
        note.holds(f"figure's {s['label']} values follow (½·n·Var(w))^(l/2)", good, f"last {s['values'][-1]:.3g} vs {expect[-1]:.3g}")
    # tanh, in the wide-network limit: q_{l+1} = gain·E[tanh²(√q_l ξ)], ξ ~ N(0, 1).
    tanh_std = {gain: tanh_layers(gain, 20) for gain in (1, 2)}
    note.holds("tanh + Xavier: below 0.2 after 20 layers, close to 1/√(2l)", tanh_std[1][-1] < 0.2 and abs(tanh_std[1][-1] - 1 / math.sqrt(40)) < 0.01, f"{tanh_std[1][-1]:.3f} vs {1 / math.sqrt(40):.3f}")
    note.claim("tanh + He settles near 0.56", r"让标准差稳定在约 ([\d.]+)，", tanh_std[2][-1])
    for act in ("ReLU", "tanh"):
        spec = note.figure("init-variance", f"{act} 网络")
        note.holds(f"{act} simulation: 20 layers of width 256 with the three inits, as the text says", (spec["layers"], spec["width"], spec["inits"]) == (20, 256, ["xavier", "he", "normal(0.01)"]), str(spec))
    spec = note.figure("init-variance", "ReLU 网络")
    cap = spec["caption"]
    note.claim("ReLU simulation: Xavier's factor per layer √0.5", r"Xavier 每层乘约 ([\d.]+)，", math.sqrt(0.5))
    note.claim("ReLU simulation: N(0, 0.01²)'s factor per layer √0.0128", r"N\(0, 0\.01²\) 每层乘约 ([\d.]+)\n", math.sqrt(0.0128))
    note.holds("caption of the ReLU simulation names the factors", "0.71" in cap and "0.11" in cap, cap)
    # A real (small) simulation: 8 ReLU layers of width 256, batch 4.
    he = relu_mlp_std(n, 8, math.sqrt(2 / n), 4, 1)
    xavier = relu_mlp_std(n, 8, math.sqrt(2 / (2 * n)), 4, 1)
    note.holds("simulated: He keeps the std within 30% over 8 layers", max(he) / min(he) < 1.3, f"{[round(v, 3) for v in he]}")
    note.holds("simulated: Xavier halves the variance per ReLU layer", 0.5 < (xavier[-1] / xavier[0]) / 0.5 ** 3.5 < 2, f"{xavier[-1] / xavier[0]:.4f} vs {0.5 ** 3.5:.4f}")


def overfitting(note):
    spec = note.figure("function", "验证误差")
    train, val = (expression(s) for s in spec["series"])
    xs = [i / 10 for i in range(0, 401)]
    note.holds("figure: validation error stays above training error", all(val(x) > train(x) for x in xs), f"at 0: {val(0):.3f} > {train(0):.3f}")
    best = min(xs, key=val)
    note.claim("validation minimum near epoch 18", r"在验证误差最低处（约第 (\d+) 轮）", best, abs_tol=0.5)
    note.holds("training error keeps falling", all(train(a) > train(b) for a, b in zip(xs, xs[1:])), "monotone")
    # Inverted dropout: keep with probability 1 − p and scale by 1/(1 − p); the mean is unchanged.
    for p in (Fraction(1, 2), Fraction(1, 5)):
        note.find(r"乘以 \$\\frac\{1\}\{1-p\}\$")
        note.holds(f"inverted dropout keeps the expectation (p = {p})", (1 - p) * (1 / (1 - p)) + p * 0 == 1, "E[mask/(1 − p)] = 1")
    # L1 gives exact zeros, L2 only shrinks: minimise ½(w − a)² + penalty for a = 0.3, λ = 0.5.
    a, lam = 0.3, 0.5
    l1 = math.copysign(max(abs(a) - lam, 0.0), a)
    l2 = a / (1 + 2 * lam)
    grid = [i / 10000 for i in range(-10000, 10001)]
    best_l1 = min(grid, key=lambda w: 0.5 * (w - a) ** 2 + lam * abs(w))
    best_l2 = min(grid, key=lambda w: 0.5 * (w - a) ** 2 + lam * w * w)
    note.holds("L1 sets a small weight exactly to 0, L2 only shrinks it", l1 == 0 == best_l1 and abs(best_l2 - l2) < 1e-4 and l2 != 0, f"L1 → {best_l1}, L2 → {best_l2}")


def feature_normalization(note):
    raw = note.figure("optimizer", "未标准化")
    std = note.figure("optimizer", "标准化后")
    note.holds("both figures use the same learning rate, start and steps", (raw["lr"], raw["start"], raw["steps"]) == (std["lr"], std["start"], std["steps"]), f"lr {raw['lr']}")
    a = descend("gd", gradient_of(raw["f"]), raw["start"], raw["lr"], 0.0, raw["steps"])
    b = descend("gd", gradient_of(std["f"]), std["start"], std["lr"], 0.0, std["steps"])
    note.holds("unscaled: not at the optimum after 30 steps", math.hypot(*a[-1]) > 0.5, f"distance {math.hypot(*a[-1]):.3f}")
    note.holds("standardized: converges quickly with the same lr", math.hypot(*b[5]) < 1e-3, f"distance after 5 steps {math.hypot(*b[5]):.2e}")
    note.holds("min-max maps to [0, 1]", [(v - 2) / (10 - 2) for v in (2, 6, 10)] == [0, 0.5, 1], "")


CHECKS = {
    "training/batch-normalization.md": batch_normalization,
    "training/normalization-layers.md": normalization_layers,
    "training/weight-initialization.md": weight_initialization,
    "training/overfitting.md": overfitting,
    "training/feature-normalization.md": feature_normalization,
}
