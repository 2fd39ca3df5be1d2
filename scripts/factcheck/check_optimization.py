"""Checks of the notes in content/optimization/."""

import itertools
import math
from fractions import Fraction

from notes import expression


def descend(method, grad, start, lr, mu, steps):
    """The path the `optimizer` figure draws: v ← μv + ∇f(p) (at p − lr·μ·v for Nesterov),
    p ← p − lr·v; GD is μ = 0."""
    p, v, path = list(start), [0.0, 0.0], [tuple(start)]
    for _ in range(steps):
        at = [p[0] - lr * mu * v[0], p[1] - lr * mu * v[1]] if method == "nesterov" else p
        g = grad(at)
        m = 0.0 if method == "gd" else mu
        v = [m * v[0] + g[0], m * v[1] + g[1]]
        p = [p[0] - lr * v[0], p[1] - lr * v[1]]
        path.append(tuple(p))
        if not all(math.isfinite(c) for c in p) or max(abs(c) for c in p) > 1e6:
            break
    return path


def note_form(nesterov, grad, start, lr, mu, steps):
    """The note's form: v ← μv − lr·∇f(x + μv if Nesterov else x), x ← x + v."""
    x, v, path = list(start), [0.0, 0.0], [tuple(start)]
    for _ in range(steps):
        at = [x[0] + mu * v[0], x[1] + mu * v[1]] if nesterov else x
        g = grad(at)
        v = [mu * v[0] - lr * g[0], mu * v[1] - lr * g[1]]
        x = [x[0] + v[0], x[1] + v[1]]
        path.append(tuple(x))
    return path


def torch_nesterov(grad, start, lr, mu, steps):
    """torch.optim.SGD(nesterov=True): g = ∇f(x), v ← μv + g, x ← x − lr·(g + μv)."""
    x, v, path = list(start), [0.0, 0.0], [tuple(start)]
    for _ in range(steps):
        g = grad(x)
        v = [mu * v[0] + g[0], mu * v[1] + g[1]]
        x = [x[0] - lr * (g[0] + mu * v[0]), x[1] - lr * (g[1] + mu * v[1])]
        path.append(tuple(x))
    return path


def gradient_of(text):
    f = expression(text, ("x", "y"))
    h = 1e-6
    return lambda p: ((f(p[0] + h, p[1]) - f(p[0] - h, p[1])) / (2 * h), (f(p[0], p[1] + h) - f(p[0], p[1] - h)) / (2 * h))


def curvature(text, axis):
    f = expression(text, ("x", "y"))
    h = 1e-3
    at = lambda d: f(d, 0.0) if axis == "x" else f(0.0, d)
    return (at(h) - 2 * at(0.0) + at(-h)) / (h * h)


def close_paths(a, b):
    return len(a) == len(b) and all(math.isclose(p, q, rel_tol=1e-9, abs_tol=1e-9) for u, w in zip(a, b) for p, q in zip(u, w))


def converges(method, lr_h, mu):
    """1D quadratic with curvature 1 and step lr_h: does the iterate go to 0?"""
    path = descend(method, lambda p: (p[0], 0.0), (1.0, 0.0), lr_h, mu, 3000)
    return abs(path[-1][0]) < 1e-3


def momentum(note):
    gd_spec = note.figure("optimizer", "梯度下降与动量法")
    nes_spec = note.figure("optimizer", "Nesterov")
    f = gd_spec["f"]
    grad = gradient_of(f)
    hx, hy = curvature(f, "x"), curvature(f, "y")
    lr, mu, steps = gd_spec["lr"], gd_spec["momentum"], gd_spec["steps"]
    cap = gd_spec["caption"]
    note.holds("figure 1 caption states its lr, μ and steps", f"学习率 {lr}" in cap and f"μ = {mu}" in cap and f"{steps} 步" in cap, cap)
    note.claim("h_y", r"曲率 \$h_y = (\d+)\$", hy, abs_tol=1e-4)
    note.claim("h_x", r"\$h_x = ([\d.]+)\$ 的", hx, abs_tol=1e-4)
    note.claim("h_y / h_x", r"的 (\d+) 倍", hy / hx, abs_tol=1e-3)
    note.claim("lr in the text is the figure's", r"学习率 \$\\eta = ([\d.]+)\$ 时", lr)
    note.claim("GD multiplies y by 1 − ηh_y", r"1 - \\eta h_y = (-?[\d.]+)\$", 1 - lr * hy)
    note.claim("GD multiplies x by 1 − ηh_x", r"1 - \\eta h_x = ([\d.]+)\$", 1 - lr * hx)
    gd = descend("gd", grad, gd_spec["start"], lr, mu, steps)
    mom = descend("momentum", grad, gd_spec["start"], lr, mu, steps)
    note.claim("GD's x after the figure's steps", r"步后 \$x\$ 还在 \$(-?[\d.]+)\$", gd[-1][0])
    note.claim("GD's y at step 2", r"第二步就把震荡从 \$(-?[\d.]+)\$", gd[2][1])
    note.claim("momentum's y at step 2", r"压到 \$(-?[\d.]+)\$", mom[2][1])
    bound, _ = note.stated(r"已到达谷底附近（\$\|x\| < ([\d.]+)\$）")
    note.holds("momentum ends near the minimum", abs(mom[-1][0]) < float(bound), f"|x| = {abs(mom[-1][0]):.4f} < {bound}")
    note.holds("GD zig-zags in y: the sign of y alternates", all(gd[i][1] * gd[i + 1][1] < 0 for i in range(steps)), "every step")
    note.holds("momentum damps the zig-zag: |y| at step 2 smaller than GD's", abs(mom[2][1]) < abs(gd[2][1]), f"{mom[2][1]:.3f} vs {gd[2][1]:.3f}")
    note.holds("the note's form equals PyTorch's (figure's) form", close_paths(note_form(False, grad, (-5, -2), lr, mu, steps), mom), "20 steps")

    lr_n, mu_n, steps_n = nes_spec["lr"], nes_spec["momentum"], nes_spec["steps"]
    cap = nes_spec["caption"]
    note.holds("figure 2 caption states its lr, μ and steps", f"学习率 {lr_n}" in cap and f"μ = {mu_n}" in cap and f"{steps_n} 步" in cap, cap)
    nes = descend("nesterov", grad, nes_spec["start"], lr_n, mu_n, steps_n)
    ours = note_form(True, grad, (-5, -2), lr_n, mu_n, steps_n)
    note.holds("Nesterov: the note's form = the figure's look-ahead form", close_paths(ours, nes), "30 steps")
    shifted = [tuple(x + mu_n * (x - x0) for x, x0 in zip(p, q)) for p, q in zip(ours[1:], ours)]
    note.holds("PyTorch's rewrite keeps the look-ahead point x + μv", close_paths(torch_nesterov(grad, (-5, -2), lr_n, mu_n, steps_n)[1:], shifted), "30 steps")
    mom2 = descend("momentum", grad, nes_spec["start"], lr_n, mu_n, steps_n)
    dist = lambda p: math.hypot(*p)
    note.holds("figure 2: Nesterov ends nearer the minimum", dist(nes[-1]) < dist(mom2[-1]), f"{dist(nes[-1]):.4f} vs {dist(mom2[-1]):.4f}")
    note.holds("figure 2: Nesterov oscillates less in y", max(abs(p[1]) for p in nes[2:]) < max(abs(p[1]) for p in mom2[2:]), "after step 1")
    note.claim("η·h_y of figure 1", r"\\eta h_y = 0\.45 \\times 4 = ([\d.]+)\$", lr * hy)
    note.claim("Nesterov's bound at μ = 0.5", r"Nesterov 的上限是 ([\d.]+)", 2 * (1 + mu) / (1 + 2 * mu))
    note.holds("with figure 1's settings Nesterov diverges", dist(descend("nesterov", grad, (-5, -2), lr, mu, 60)[-1]) > 10, "60 steps")
    for m in (0.3, 0.5, 0.7, 0.9):
        heavy, nesterov = 2 * (1 + m), 2 * (1 + m) / (1 + 2 * m)
        ok = converges("momentum", heavy * 0.98, m) and not converges("momentum", heavy * 1.02, m)
        ok = ok and converges("nesterov", nesterov * 0.98, m) and not converges("nesterov", nesterov * 1.02, m)
        note.holds(f"stability bounds ηh < 2(1+μ) and 2(1+μ)/(1+2μ) at μ = {m}", ok, f"{heavy:.3f}, {nesterov:.3f}")
    note.claim("μ = 0.9 amplifies the step 1/(1−μ)", r"\$\\mu = 0\.9\$ 时放大率为 (\d+)", 1 / (1 - 0.9))
    v = [0.0]
    for _ in range(2000):
        v[0] = 0.9 * v[0] - 0.01 * 1.0
    note.holds("constant gradient: v → −lr/(1−μ)·dx", math.isclose(v[0], -0.01 / (1 - 0.9), rel_tol=1e-9), f"v = {v[0]:.6f}")


def gradient_descent_sgd(note):
    note.claim("B from 1 to 64: the std falls to 1/8", r"batch 从 1 增加到 64，梯度噪声的标准差降到 \$\\frac\{1\}\{(\d+)\}\$", math.sqrt(64))
    note.holds("B from 64 to 256: the std only halves", math.isclose(math.sqrt(256 / 64), 2), "√4 = 2")
    # Unbiasedness, exactly: the mean over every batch of size B of the batch mean is the full mean.
    grads = [Fraction(g) for g in (3, -1, 4, 1, -5, 9)]
    full = sum(grads) / len(grads)
    for b in (1, 2, 3):
        batches = list(itertools.combinations(grads, b))
        expect = sum(sum(s) / b for s in batches) / len(batches)
        note.holds(f"a random batch of {b} is an unbiased estimate", expect == full, f"{expect} = {full}")
    # Variance of a batch mean drawn without replacement: σ²/B·(N−B)/(N−1).
    n = len(grads)
    var = sum((g - full) ** 2 for g in grads) / n
    for b in (1, 2, 3):
        batches = list(itertools.combinations(grads, b))
        got = sum((sum(s) / b - full) ** 2 for s in batches) / len(batches)
        note.holds(f"batch of {b} without replacement: variance σ²/B·(N−B)/(N−1)", got == var / b * Fraction(n - b, n - 1), f"{got}")
    spec = note.figure("function", "batch size")
    f = expression(spec["series"][0])
    note.holds("figure plots σ/√B", all(math.isclose(f(b), 1 / math.sqrt(b)) for b in (1, 4, 64, 256)), spec["series"][0])


def adam_steps(grads, lr=1e-3, b1=0.9, b2=0.999, eps=1e-8, wd=0.0, correct=True, theta=0.0):
    """The note's adamw() on one scalar, returning the list of steps taken."""
    m = v = 0.0
    steps = []
    for t, g in enumerate(grads, start=1):
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        mh, vh = (m / (1 - b1**t), v / (1 - b2**t)) if correct else (m, v)
        step = lr * (mh / (math.sqrt(vh) + eps) + wd * theta)
        theta -= step
        steps.append(step)
    return steps


def adaptive_path(method, grad, start, alpha, rho_beta2, steps, beta1=0.9, eps=1e-8):
    """The figure's AdaGrad, RMSProp (decay = beta2) and bias-corrected Adam, per coordinate."""
    p, m, v, path = list(start), [0.0, 0.0], [0.0, 0.0], [tuple(start)]
    for t in range(1, steps + 1):
        g = grad(p)
        for i in range(2):
            if method == "adagrad":
                v[i] += g[i] ** 2
                p[i] -= alpha * g[i] / (math.sqrt(v[i]) + eps)
            elif method == "rmsprop":
                v[i] = rho_beta2 * v[i] + (1 - rho_beta2) * g[i] ** 2
                p[i] -= alpha * g[i] / (math.sqrt(v[i]) + eps)
            else:
                m[i] = beta1 * m[i] + (1 - beta1) * g[i]
                v[i] = rho_beta2 * v[i] + (1 - rho_beta2) * g[i] ** 2
                p[i] -= alpha * (m[i] / (1 - beta1**t)) / (math.sqrt(v[i] / (1 - rho_beta2**t)) + eps)
        path.append(tuple(p))
    return path


def adaptive_figure(note):
    spec = note.figure("optimizer", "AdaGrad、RMSProp、Adam")
    grad = gradient_of(spec["f"])
    a, b2, steps = spec["adaptive_lr"], spec["beta2"], spec["steps"]
    cap = spec["caption"]
    note.holds("caption states η, α, ρ = β₂ and steps", f"η = {spec['lr']}" in cap and f"α = {a}" in cap and f"β₂ = {b2}" in cap and f"{steps} 步" in cap, cap)
    note.claim("text: α", r"步长都是 \$\\alpha = ([\d.]+)\$", a)
    note.claim("text: ρ = β₂", r"都取 ([\d.]+)。", b2)
    paths = {m: adaptive_path(m, grad, spec["start"], a, b2, steps) for m in ("adagrad", "rmsprop", "adam")}
    for m in ("adagrad", "adam"):
        first = [abs(q - p) for p, q in zip(paths[m][0], paths[m][1])]
        note.holds(f"{m}: the first step moves each coordinate by α", all(math.isclose(d, a, rel_tol=1e-6) for d in first), str(first))
    first = abs(paths["rmsprop"][1][0] - paths["rmsprop"][0][0])
    note.claim("RMSProp's first step α/√(1 − ρ)", r"第一步是 \$\\frac\{\\alpha\}\{\\sqrt\{1 - \\rho\}\} \\approx ([\d.]+)\\alpha\$", first / a)
    dist = lambda p: math.hypot(*p)
    note.claim("AdaGrad is still about 2.1 from the optimum", r"步后离最优点还有约 ([\d.]+)；", dist(paths["adagrad"][-1]))
    arrive = {m: next((i for i, p in enumerate(pa) if dist(p) < 0.05), steps + 1) for m, pa in paths.items()}
    gd = descend("gd", grad, spec["start"], spec["lr"], 0.0, steps)
    arrive["gd"] = next((i for i, p in enumerate(gd) if dist(p) < 0.05), steps + 1)
    note.holds("RMSProp arrives first (within 0.05)", min(arrive, key=arrive.get) == "rmsprop", str(arrive))
    note.holds("Adam overshoots the optimum in x and comes back", max(p[0] for p in paths["adam"]) > 0 > paths["adam"][1][0], f"max x {max(p[0] for p in paths['adam']):.2f}")


def adaptive_methods(note):
    adaptive_figure(note)
    note.claim("AdaGrad with a constant gradient: step 100 is 1/10 of step 1", r"第 100 步只有第 1 步的 1/(\d+)", 1 / (1 / math.sqrt(100)))
    for g in (1e-3, 1.0, 1e3):
        note.holds(f"Adam's first step is about lr whatever the gradient ({g:g})", math.isclose(adam_steps([g])[0], 1e-3, rel_tol=1e-4), f"{adam_steps([g])[0]:.6g}")
    note.claim("uncorrected first step: 0.1/√0.001 · lr", r"\\approx ([\d.]+) \\eta\$", adam_steps([1.0], correct=False)[0] / 1e-3)
    note.claim("m₁ = 0.1·g₁", r"\$m_1 = ([\d.]+) g_1\$", 1 - 0.9)
    note.claim("v₁ = 0.001·g₁²", r"\$v_1 = ([\d.]+) g_1\^2\$", 1 - 0.999)
    t95 = math.log(0.05) / math.log(0.999)
    note.claim("uncorrected v reaches 95% after about 3000 steps", r"要到约 (\d+) 步才达到真实值的 95%", t95, rel=0.01)
    spec = note.figure("function", "1 − βᵗ")
    note.holds("figure plots 1 − β₁ᵗ and 1 − β₂ᵗ with Adam's defaults", spec["series"] == ["1 - 0.9^x", "1 - 0.999^x"], str(spec["series"]))
    g = [0.3] * 50
    m_const = all(math.isclose(s, 1e-3, rel_tol=1e-6) for s in adam_steps(g))
    note.holds("with bias correction a constant gradient gives steps of exactly lr", m_const, "50 steps")
    # L2 inside Adam vs decoupled decay, on two parameters equal to 1 with √v̂ = 10 and 0.1.
    lam = 0.01
    l2 = [lam * 1.0 / 10, lam * 1.0 / 0.1]
    note.claim("L2 in Adam decays the two parameters 100× apart", r"L2 项给它们的衰减相差 (\d+) 倍", l2[1] / l2[0])
    decoupled = [adam_steps([0.0], wd=lam, theta=1.0)[0]] * 2
    note.holds("AdamW decays both by lr·λ·θ", decoupled[0] == decoupled[1] == 1e-3 * lam, f"{decoupled[0]:.2e}")


def lr_schedules(note):
    note.claim("linear scaling: 0.1 × 8192/256", r"所以 8192 时是 ([\d.]+)", 0.1 * 8192 / 256)
    cos = lambda t, T, hi, lo: lo + 0.5 * (hi - lo) * (1 + math.cos(math.pi * t / T))
    note.holds("cosine: η_max at 0, midpoint at T/2, η_min at T", math.isclose(cos(0, 10, 1, 0.2), 1) and math.isclose(cos(5, 10, 1, 0.2), 0.6) and math.isclose(cos(10, 10, 1, 0.2), 0.2), "")
    peak = (512 * 4000) ** -0.5
    note.claim("Transformer peak (d·t_warmup)^−0.5", r"峰值约为 \$([\d.]+ \\times 10\^\{-?\d+\})\$", peak)
    spec = note.figure("function", "余弦退火")
    cosine, step = (expression(s) for s in spec["series"])
    values = {x: (cosine(x), step(x)) for x in (0, 2.5, 5, 52.5, 100, 29, 31, 61, 91)}
    ok = values[0] == (0, 0) and math.isclose(values[2.5][0], 0.05) and math.isclose(values[5][0], 0.1)
    ok = ok and math.isclose(values[52.5][0], 0.05) and abs(values[100][0]) < 1e-12
    ok = ok and math.isclose(values[29][1], 0.1) and math.isclose(values[31][1], 0.01) and math.isclose(values[61][1], 0.001) and math.isclose(values[91][1], 1e-4)
    note.holds("figure: 5-epoch warm-up to 0.1, cosine to 0 at 100, ×0.1 at 30/60/90", ok, str({k: tuple(round(x, 5) for x in v) for k, v in values.items()}))
    spec = note.figure("function", "Transformer")
    f = expression(spec["series"][0])
    best = max(range(1, 40001, 50), key=f)
    note.holds("figure: the Transformer curve peaks at step 4000 with the stated value", abs(best - 4000) <= 50 and math.isclose(f(4000), peak), f"argmax ≈ {best}, peak {f(4000):.3e}")


CHECKS = {
    "optimization/momentum.md": momentum,
    "optimization/gradient-descent-sgd.md": gradient_descent_sgd,
    "optimization/adaptive-methods.md": adaptive_methods,
    "optimization/lr-schedules.md": lr_schedules,
}
