"""Checks of the notes in content/cnn/."""

import itertools
import math
import random

from notes import expression


def conv_out(h, k, s=1, p=0, d=1):
    return (h + 2 * p - d * (k - 1) - 1) // s + 1


def receptive_fields(layers):
    """r_l = r_{l-1} + (k_eff − 1)·∏ s_i, as in receptive-field.md; layers are (k, s, d)."""
    r, jump, out = 1, 1, []
    for k, s, d in layers:
        r += (d * (k - 1) + 1 - 1) * jump
        jump *= s
        out.append(r)
    return out


def spec_layers(spec):
    return [(l["kernel"], l.get("stride", 1), l.get("dilation", 1)) for l in spec["layers"]]


def cnn_basics(note):
    note.claim("224×224, k=7, s=2, p=3 gives 112 (ResNet's first conv)", r"\$p = 3\$ 时输出为 (\d+)", conv_out(224, 7, 2, 3))
    note.claim("a 224×224×3 image has 150528 values", r"的输入图像有 (\d+) 个像素值", 224 * 224 * 3)
    note.claim("one 1000-unit FC layer on it has about 1.5e8 weights", r"就有约 ([\d.]+) 亿个权重", 224 * 224 * 3 * 1000 / 1e8)
    note.claim("64 kernels of 3×3×3: 64×27 weights", r"\$64 \\times 27 = (\d+)\$", 64 * 27)
    note.claim("with 64 biases", r"共 (\d+) 个参数", 64 * 27 + 64)


def receptive_field(note):
    note.claim("two 3×3/s1 convs: r = 5", r"\$r = 1 \+ 2 \+ 2 = (\d+)\$", receptive_fields([(3, 1, 1)] * 2)[-1])
    note.claim("three 3×3/s1 convs: r = 7", r"三个则为 (\d+)", receptive_fields([(3, 1, 1)] * 3)[-1])
    r = receptive_fields([(3, 1, 1), (2, 2, 1), (3, 1, 1)])
    note.claim("conv3 → pool2/s2 → conv3: r1", r"\$r_1 = (\d+)\$", r[0])
    note.claim("conv3 → pool2/s2 → conv3: r2", r"\$r_2 = 3 \+ 1 \\times 1 = (\d+)\$", r[1])
    note.claim("conv3 → pool2/s2 → conv3: r3", r"\$r_3 = 4 \+ 2 \\times 2 = (\d+)\$", r[2])
    linear = receptive_fields(spec_layers(note.figure("receptive-field", "全部步长为 1")))
    note.holds("figure 1: six 3×3/s1 layers grow linearly", linear == [3, 5, 7, 9, 11, 13], f"computed {linear}")
    faster = receptive_fields(spec_layers(note.figure("receptive-field", "第 2、4 层步长为 2")))
    note.holds("figure 2: strides 2 make later layers grow faster", faster[-1] > linear[-1], f"computed {faster}")


def dilated_convolution(note):
    note.claim("3×3 with d = 2 covers 5×5", r"\$d = 2\$ 时是 \$(\d+) \\times \d+\$", 3 + (3 - 1) * (2 - 1))
    note.holds("k + (k−1)(d−1) = d(k−1) + 1", all(k + (k - 1) * (d - 1) == d * (k - 1) + 1 for k in range(1, 9) for d in range(1, 9)), "k, d in 1..8")
    note.claim("H = 64, k = 3, d = 2, p = 2: output 64", r"\$p = 2\$ 时输出仍是 (\d+)", conv_out(64, 3, 1, 2, 2))
    note.holds("3×3 with padding d keeps the size for every d", all(conv_out(64, 3, 1, d, d) == 64 for d in range(1, 10)), "d in 1..9")
    spec = note.figure("receptive-field", "膨胀率 1、2、4、8")
    r = receptive_fields(spec_layers(spec))
    text, _ = note.stated(r"步长都为 1：感受野 ([\d、]+)")
    note.holds("figure caption lists the receptive fields of its own layers", [int(t) for t in text.split("、")] == r, f"caption {text}, computed {r}")
    note.claim("dilations 1, 2, 4, 8: r = 31", r"= (\d+)\$；同样 4 层", r[-1])
    note.claim("four plain 3×3 layers: r = 9", r"同样 4 层普通 \$3 \\times 3\$ 卷积只有 (\d+)", receptive_fields([(3, 1, 1)] * 4)[-1])
    # Gridding: three 3×3 layers with d = 2 reach only inputs of one parity per axis.
    reach = {0}
    for _ in range(3):
        reach = {p + 2 * t for p in reach for t in (-1, 0, 1)}
    note.holds("d = 2 stacked: an output depends on one parity class (1/4 of the pixels in 2D)", all(p % 2 == 0 for p in reach), f"1D offsets {sorted(reach)}")


def transposed_convolution(note):
    h, k, s, p = 4, 4, 2, 1
    out = (h - 1) * s - 2 * p + k
    note.claim("H=4, k=4, s=2, p=1: (H−1)s − 2p + k", r"\$3 \\times 2 - 2 \+ 4 = (\d+)\$", out)
    note.holds("the transposed size inverts the conv size", conv_out(out, k, s, p) == h, f"conv({out}) = {conv_out(out, k, s, p)}")
    spec = note.figure("grid", "转置卷积")
    k, s, (rows, cols) = spec["kernel"], spec["stride"], spec["shape"]
    counts = [[0] * ((cols - 1) * s + k) for _ in range((rows - 1) * s + k)]
    for i, j, a, b in itertools.product(range(rows), range(cols), range(k), range(k)):
        counts[i * s + a][j * s + b] += 1
    values = sorted({c for row in counts for c in row})
    note.holds("figure: overlap counts are 1, 2 and 4 (k=3, s=2)", values == [1, 2, 4], f"computed {values}")
    note.holds("k divisible by s gives even overlap inside (k=4, s=2)", even_overlap(4, 2) and not even_overlap(3, 2), "1D interior counts")


def even_overlap(k, s, n=8):
    counts = [0] * ((n - 1) * s + k)
    for i in range(n):
        for a in range(k):
            counts[i * s + a] += 1
    interior = counts[k:-k]
    return len(set(interior)) == 1


def depthwise_separable(note):
    ratio = lambda c_out, k=3: 1 / c_out + 1 / k**2
    note.claim("C_out = 256: ratio 1/C_out + 1/k²", r"\$C_\{out\} = 256\$ 时比值约为 \$([\d.]+)\$", ratio(256))
    note.claim("C_out = 32: ratio", r"\$C_\{out\} = 32\$ 时比值为 \$([\d.]+)\$", ratio(32))
    note.claim("C_out = 32: about 1/7", r"约为 1/(\d+)。", 1 / ratio(32), abs_tol=0.5)
    note.holds("between 1/9 and 1/8 once C_out ≥ 72", 1 / 9 < ratio(256) <= 1 / 8 and ratio(72) <= 1 / 8 < ratio(71), f"ratio(256) = {ratio(256):.4f}")
    k, c_in, c_out, hw = 3, 128, 64, 56 * 56
    flops = (k * k * c_in * hw + c_in * c_out * hw) / (k * k * c_in * c_out * hw)
    params = (k * k * c_in + c_in * c_out) / (k * k * c_in * c_out)
    note.holds("the parameter ratio equals the FLOP ratio", math.isclose(flops, params), f"{flops:.4f} vs {params:.4f}")
    sweep = note.figure("conv-cost", "随输出通道数变化")
    cap = sweep["caption"]
    note.holds("figure 1's caption states its k, C_in and size", f"k={sweep['k']}" in cap and f"C_in={sweep['c_in']}" in cap and f"{sweep['h']}×{sweep['w']}" in cap, cap)
    bigger = note.figure("conv-cost", "卷积核越大")
    cap = bigger["caption"]
    note.holds("figure 2's caption states its channels and size", f"C_in=C_out={bigger['c_in']}" in cap and bigger["c_in"] == bigger["c_out"] and f"{bigger['h']}×{bigger['w']}" in cap, cap)
    saving = [1 / (1 / bigger["c_out"] + 1 / k**2) for k in bigger["values"]]
    note.holds("figure 2: the saving grows with k", saving == sorted(saving), f"{[round(v, 1) for v in saving]}×")


def pointwise_convolution(note):
    bottleneck = 256 * 64 + 9 * 64 * 64 + 64 * 256
    note.claim("1×1 → 3×3 → 1×1 bottleneck: about 7万 parameters", r"\\approx (\d+)\$ 万，而", bottleneck / 1e4, abs_tol=0.5)
    note.claim("one 3×3 conv on 256 channels: about 59万", r"就需要 \$9 \\times 256 \\times 256 \\approx (\d+)\$ 万", 9 * 256 * 256 / 1e4, abs_tol=0.5)
    spec = note.figure("conv-cost", "1×1 瓶颈结构")
    note.holds("figure uses the note's shape", (spec["k"], spec["c_in"], spec["c_out"], spec["mid"]) == (3, 256, 256, 64), str(spec))


def focus_slice(x):
    """YOLOv5's order: (even row, even col), (odd, even), (even, odd), (odd, odd)."""
    pick = lambda i, j: [row[j::2] for row in x[i::2]]
    return [pick(0, 0), pick(1, 0), pick(0, 1), pick(1, 1)]


def pixel_unshuffle(x):
    """PyTorch's order: channel i·2 + j holds row offset i, column offset j."""
    return [[row[j::2] for row in x[i::2]] for i in range(2) for j in range(2)]


def pixel_shuffle(chs, r=2):
    h, w = len(chs[0]), len(chs[0][0])
    return [[chs[(y % r) * r + x % r][y // r][x // r] for x in range(w * r)] for y in range(h * r)]


def conv2d(chs, kernels, stride, pad):
    """One output channel: chs is a list of matrices, kernels one k×k matrix per channel."""
    h, w, k = len(chs[0]), len(chs[0][0]), len(kernels[0])
    at = lambda c, y, x: chs[c][y][x] if 0 <= y < h and 0 <= x < w else 0.0
    out_h = (h + 2 * pad - k) // stride + 1
    out_w = (w + 2 * pad - k) // stride + 1
    return [
        [
            sum(kernels[c][a][b] * at(c, y * stride - pad + a, x * stride - pad + b) for c in range(len(chs)) for a in range(k) for b in range(k))
            for x in range(out_w)
        ]
        for y in range(out_h)
    ]


def focus_module(note):
    x = [[float(4 * i + j + 1) for j in range(4)] for i in range(4)]
    focus, unshuffle = focus_slice(x), pixel_unshuffle(x)
    note.holds("pixel_shuffle(pixel_unshuffle(x)) = x", pixel_shuffle(unshuffle) == x, "4×4")
    note.holds("pixel_shuffle(focus_slice(x)) ≠ x", pixel_shuffle(focus) != x, "4×4")
    perm = [unshuffle.index(c) for c in focus]
    text, _ = note.stated(r"按 \$\[([\d, ]+)\]\$ 重排")
    note.holds("focus order = PixelUnshuffle order permuted by [0, 2, 1, 3]", [int(t) for t in text.split(",")] == perm, f"note {text}, computed {perm}")
    note.holds("permuting focus channels restores x", pixel_shuffle([focus[perm.index(i)] for i in range(4)]) == x, "4×4")
    spec = note.figure("grid", "space-to-depth")
    note.holds("figure is space-to-depth of 1..16 (PixelUnshuffle order)", spec["op"] == "space-to-depth" and spec["input"] == x, "input matches")

    c_out, hw = 1.0, 1.0  # per C_out·H·W
    focus_cost = 9 * 12 * c_out * hw / 4
    note.claim("3×3 conv after Focus: 27·C_out·H·W", r"= (\d+) \\, C_\{out\} H W\n\$\$", focus_cost)
    note.claim("3×3/s2 conv on the image: 6.75·C_out·H·W", r"\\frac\{W\}\{2\} = ([\d.]+) \\, C_\{out\} H W\$）", 9 * 3 * c_out * hw / 4)
    note.claim("Focus + 3×3 costs 4× a 3×3/s2 conv", r"的计算量是它的 \*\*(\d+) 倍\*\*", focus_cost / (9 * 3 / 4))
    note.holds("channels × pixels unchanged by the slice: 12·(H/2)(W/2) = 3HW", 12 * 0.25 == 3, "")

    # Slice + 3×3 (pad 1) equals one 6×6 conv, stride 2, pad 2 on the image.
    rng = random.Random(1)
    img = [[rng.uniform(-1, 1) for _ in range(8)] for _ in range(8)]
    k3 = [[[rng.uniform(-1, 1) for _ in range(3)] for _ in range(3)] for _ in range(4)]
    offsets = [(0, 0), (1, 0), (0, 1), (1, 1)]  # focus channel c holds (row, col) offset
    k6 = [[0.0] * 6 for _ in range(6)]
    for c, (i, j) in enumerate(offsets):
        for a in range(3):
            for b in range(3):
                k6[2 * a + i][2 * b + j] = k3[c][a][b]
    lhs = conv2d(focus_slice(img), k3, 1, 1)
    rhs = conv2d([img], [k6], 2, 2)
    same = all(math.isclose(p, q, abs_tol=1e-12) for rp, rq in zip(lhs, rhs) for p, q in zip(rp, rq))
    note.holds("slice + 3×3 conv = 6×6 conv, stride 2, padding 2", same and len(lhs) == len(rhs) == 4, "random 8×8 image and weights")
    note.claim("after the slice a 3×3 conv sees 6×6 of the image", r"在原图上覆盖 \$(\d+) \\times \d+\$ 的区域", receptive_fields([(2, 2, 1), (3, 1, 1)])[-1])


def upsampling(note):
    for op, word in (("nearest", "最近邻"), ("bilinear", "双线性")):
        spec = note.figure("grid", word)
        rows, cols, r = len(spec["input"]), len(spec["input"][0]), spec.get("scale", 2)
        note.holds(f"{op} figure: {rows}×{cols} ×{r} is the caption's 2×2 → 4×4", (rows, cols, rows * r, cols * r) == (2, 2, 4, 4) and "2×2 放大到 4×4" in spec["caption"], spec["caption"])
    spec = note.figure("grid", "PixelShuffle")
    out = pixel_shuffle(spec["channels"], spec["scale"])
    note.holds("figure: 4 channels of 2×2 shuffle into one 4×4", len(spec["channels"]) == 4 and len(out) == 4 and len(out[0]) == 4, f"first row {out[0]}")
    note.holds("the shuffle inverts space-to-depth", pixel_unshuffle(out) == spec["channels"], "PixelUnshuffle(PixelShuffle(c)) = c")
    # ICNR: the r² kernels of a group start equal, so the first shuffle is nearest upsampling;
    # with independent random kernels every r×r block still varies (a checkerboard).
    rng = random.Random(4)
    low = [[rng.uniform(-1, 1) for _ in range(3)] for _ in range(3)]
    icnr = pixel_shuffle([low] * 4)
    nearest = [[low[y // 2][x // 2] for x in range(6)] for y in range(6)]
    note.holds("ICNR: equal kernels per group make PixelShuffle nearest upsampling", icnr == nearest, "3×3 → 6×6")
    noisy = pixel_shuffle([[[rng.uniform(-1, 1) for _ in range(3)] for _ in range(3)] for _ in range(4)])
    varies = all(len({noisy[2 * i + a][2 * j + b] for a in range(2) for b in range(2)}) > 1 for i in range(3) for j in range(3))
    note.holds("random kernels: every 2×2 block of the output varies (period-r pattern)", varies, "3×3 → 6×6")
    note.find(r"ICNR 初始化")


def group_convolution(note):
    note.claim("standard 3×3, 256 → 256: 589824 weights", r"标准卷积有 \$9 \\times 256 \\times 256 = (\d+)\$", 9 * 256 * 256)
    note.claim("g = 32: 18432 weights", r"的分组卷积只有 \$(\d+)\$ 个", 9 * 256 * 256 // 32)
    note.claim("1/32", r"正好是 \$\\frac\{1\}\{(\d+)\}\$", 589824 / 18432)
    note.claim("64 kernels 3×3×3 with bias", r"\$27 \\times 64 \+ 64 = (\d+)\$", 27 * 64 + 64)
    note.claim("ResNet conv1 7×7, 3 → 64", r"\$7 \\times 7 \\times 3 \\times 64 = (\d+)\$", 7 * 7 * 3 * 64)
    fc6 = 7 * 7 * 512 * 4096 + 4096
    note.claim("VGG-16 fc6", r"\$25088 \\times 4096 \+ 4096 = (\d+)\$", fc6)
    note.claim("VGG-16 fc6 about 1.03亿", r"约 ([\d.]+) 亿，占", fc6 / 1e8)
    note.holds("25088 = 7·7·512", 7 * 7 * 512 == 25088, "")
    spec = note.figure("conv-cost", "分组数 g")
    note.holds("figure sweeps g over divisors of 256", all(256 % g == 0 for g in spec["values"]), str(spec["values"]))


def network_scaling(note):
    a, b, g = 1.2, 1.1, 1.15
    note.claim("EfficientNet α·β²·γ²", r"\\alpha\\beta\^2\\gamma\^2 = ([\d.]+)\$", a * b * b * g * g)
    note.claim("width or resolution ×√2 doubles FLOPs", r"\\sqrt 2 \\approx ([\d.]+)\$", math.sqrt(2))
    spec = note.figure("function", "复合缩放")
    f = [s for s in spec["series"] if "1.2*1.1" in s]
    note.holds("figure's FLOPs curve is (αβ²γ²)^φ", len(f) == 1 and math.isclose(expression(f[0])(3), (a * b * b * g * g) ** 3), f[0] if f else "missing")
    note.holds("caption's 1.92^φ matches", "1.92^φ" in spec["caption"], spec["caption"])


def resnet(note):
    note.claim("0.9^50", r"\$0\.9\^\{50\} \\approx ([\d.]+)\$", 0.9**50)
    spec = note.figure("bar", "ImageNet top-1")
    plain, res = spec["series"][0]["values"], spec["series"][1]["values"]
    note.holds("figure: plain-34 worse than plain-18, ResNet-34 better than ResNet-18", plain[1] > plain[0] and res[1] < res[0], f"plain {plain}, ResNet {res}")


def depth_and_width(note):
    note.claim("ResNet-50 has 3+4+6+3 bottlenecks", r"ResNet-50 的 (\d+) 个 bottleneck", 3 + 4 + 6 + 3)


def downsampling(note):
    note.holds("halving the side cuts a conv's cost to 1/4", (0.5 * 0.5) == 1 / 4, "H/2 · W/2")
    for op in ("max-pool", "avg-pool"):
        spec = note.figure("grid", "最大池化" if op == "max-pool" else "平均池化")
        note.holds(f"{op} figure is a 4×4 input (2×2 windows, stride 2)", len(spec["input"]) == 4 and spec["op"] == op, op)


CHECKS = {
    "cnn/cnn-basics.md": cnn_basics,
    "cnn/receptive-field.md": receptive_field,
    "cnn/dilated-convolution.md": dilated_convolution,
    "cnn/transposed-convolution.md": transposed_convolution,
    "cnn/depthwise-separable-convolution.md": depthwise_separable,
    "cnn/pointwise-convolution.md": pointwise_convolution,
    "cnn/focus-module.md": focus_module,
    "cnn/upsampling.md": upsampling,
    "cnn/group-convolution.md": group_convolution,
    "cnn/network-scaling.md": network_scaling,
    "cnn/resnet.md": resnet,
    "cnn/depth-and-width.md": depth_and_width,
    "cnn/downsampling.md": downsampling,
}
