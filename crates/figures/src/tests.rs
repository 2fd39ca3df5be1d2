//! Tests across all kinds: the table, errors, determinism, accessibility, speed.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

use super::*;

/// The field list serde derives for `S`, captured from its call to `deserialize_struct`.
pub(super) fn fields<S: DeserializeOwned>() -> &'static [&'static str] {
    match S::deserialize(Capture) {
        Err(Found(Some(fields))) => fields,
        _ => &[],
    }
}

/// A deserializer that only records the fields a struct asks for, then stops.
struct Capture;

#[derive(Debug)]
struct Found(Option<&'static [&'static str]>);

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fields {:?}", self.0)
    }
}

impl std::error::Error for Found {}

impl de::Error for Found {
    fn custom<T: fmt::Display>(_: T) -> Self {
        Found(None)
    }
}

impl<'de> Deserializer<'de> for Capture {
    type Error = Found;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Found> {
        Err(Found(None))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, Found> {
        Err(Found(Some(fields)))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier
        ignored_any
    }
}

/// Typical figures, one or more of each kind.
pub(super) const TYPICAL: &[&str] = &[
    "kind: function\ncaption: 常用激活函数及其导数\nx: [-5, 5]\nseries: [relu, leaky_relu, sigmoid, tanh]\nderivative: true\n",
    "kind: function\nseries: [gelu, silu, softplus, elu, \"max(0.1*x, x)\", 1/(1+exp(-x))]\nlabels: [GELU, SiLU, Softplus, ELU, 带泄露 ReLU, 手写 sigmoid]\n",
    "kind: conv-cost\ncaption: 深度可分离卷积的计算量\nk: 3\nc_in: 256\nsweep: c_out\nvalues: [64, 128, 256, 512]\nlog: true\n",
    "kind: conv-cost\nmetric: params\nstyle: lines\ngroups: 8\nsweep: k\nvalues: [1, 3, 5, 7]\n",
    "kind: optimizer\ncaption: 病态二次函数上的动量法\n",
    "kind: optimizer\nf: (1 - x)^2 + 5*(y - x^2)^2\nstart: [-1.5, 2]\nlr: 0.01\nsteps: 300\nx: [-2, 2]\ny: [-1, 3]\nmethods: [gd, nesterov]\n",
    "kind: receptive-field\nlayers:\n  - {kernel: 3, name: conv1}\n  - {kernel: 3, name: conv2}\n  - {kernel: 2, stride: 2, name: pool1}\n  - {kernel: 3, dilation: 2, name: conv3}\n",
    "kind: grid\nop: max-pool\ninput: [[1, 3, 2, 4], [5, 6, 1, 2], [7, 2, 9, 1], [3, 4, 6, 8]]\n",
    "kind: grid\nop: transposed-conv\nshape: [4, 4]\nkernel: 3\nstride: 2\n",
    "kind: grid\nop: pixel-shuffle\nchannels:\n  - [[1, 2], [3, 4]]\n  - [[5, 6], [7, 8]]\n  - [[9, 10], [11, 12]]\n  - [[13, 14], [15, 16]]\n",
    "kind: line\ncaption: 训练误差与验证误差\nx: [1, 2, 3, 4, 5, 6, 7, 8]\nxlabel: 轮次\nylabel: 误差\nseries:\n  - {label: 训练误差, values: [0.9, 0.6, 0.45, 0.35, 0.28, 0.22, 0.18, 0.15]}\n  - {label: 验证误差, values: [0.95, 0.7, 0.55, 0.5, 0.48, 0.5, 0.53, 0.57]}\n",
    "kind: norm-axes\ncaption: BN、LN、IN 与 GN 在哪些维度上求均值\n",
    "kind: init-variance\nlayers: 10\nwidth: 64\nactivation: tanh\ninits: [xavier, normal(0.05)]\n",
    "kind: bar\ncaption: 梯度消失\ncategories: [层1, 层2, 层3, 层4, 层5]\nylabel: 梯度范数\nlog: true\nseries:\n  - {label: sigmoid, values: [0.25, 0.06, 0.015, 0.004, 0.001]}\n  - {label: ReLU, values: [1.0, 0.9, 0.85, 0.8, 0.78]}\n",
];

#[test]
fn every_typical_figure_renders_accessibly() {
    for spec in TYPICAL {
        let f = render(spec, crate::Lang::En).unwrap_or_else(|e| panic!("{spec}\n{e}"));
        let svg = &f.svg;
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"), "{spec}");
        assert!(!svg.contains("<?xml") && !svg.contains("DOCTYPE"));
        let d = style::esc(&f.description);
        assert!(svg.contains(&format!("<title>{d}</title>")), "{spec}");
        assert!(svg.contains(&format!("<desc>{d}</desc>")), "{spec}");
        assert!(svg.contains(r#"role="img""#) && svg.contains("aria-label="));
        assert!(svg.contains(r#"width="100%""#) && svg.contains("viewBox=\"0 0 "));
        assert!(
            !svg.contains(" id="),
            "no id attributes, so figures can share a page"
        );
        assert!(svg.matches("<svg").count() == 1 && svg.contains("<text"));
        assert!(!f.caption.is_empty() && !f.description.is_empty());
    }
}

/// Each element's `fill` and `stroke` colour: a series colour (readable on both themes), or the
/// light fallback of a themed colour, with the class that lets the page's theme replace it.
#[test]
fn every_colour_is_a_series_colour_or_a_themed_fallback() {
    let series: Vec<String> = style::PALETTE.iter().map(|c| style::hex(*c)).collect();
    let mut themed = 0;
    for spec in TYPICAL {
        let svg = render(spec, Lang::ZhCn).unwrap().svg;
        for element in svg.split('<').skip(1) {
            let tag = element.split('>').next().unwrap_or_default();
            for attr in ["fill", "stroke"] {
                let Some(value) = tag
                    .split(&format!(" {attr}=\""))
                    .nth(1)
                    .and_then(|v| v.split('"').next())
                else {
                    continue;
                };
                let value = value.to_ascii_lowercase();
                if value == "none" || series.contains(&value) {
                    continue;
                }
                let role = style::THEMED.iter().find(|(_, c)| style::hex(*c) == value);
                let Some((role, _)) = role else {
                    panic!("`{attr}=\"{value}\"` is neither a series colour nor themed: <{tag}>\n{spec}");
                };
                let class = tag
                    .split(" class=\"")
                    .nth(1)
                    .and_then(|c| c.split('"').next())
                    .unwrap_or("");
                assert!(
                    class.split(' ').any(|c| c == format!("{attr}-{role}")),
                    "<{tag}> lacks the class {attr}-{role}"
                );
                themed += 1;
            }
        }
    }
    assert!(themed > 100, "text, axes and grids are themed ({themed})");
}

/// The series colours keep WCAG's 3:1 for graphics against the light and the dark page.
#[test]
fn the_palette_reads_on_both_grounds() {
    for c in style::PALETTE {
        for ground in [style::LIGHT_GROUND, style::DARK_GROUND] {
            let ratio = style::contrast(c, ground);
            assert!(
                ratio >= 3.0,
                "{} on {}: {ratio:.2}",
                style::hex(c),
                style::hex(ground)
            );
        }
    }
    let old_black = plotters::style::RGBColor(0, 0, 0);
    assert!(
        style::contrast(old_black, style::DARK_GROUND) < 3.0,
        "the check can fail"
    );
}

/// The words of a figure follow the language it is asked for; the numbers and the user's own
/// labels do not change.
#[test]
fn descriptions_and_labels_speak_the_language_asked_for() {
    let zh = render(TYPICAL[0], Lang::ZhCn).unwrap();
    let en = render(TYPICAL[0], Lang::En).unwrap();
    let zh_title = "relu、leaky_relu、sigmoid、tanh 在 x ∈ [-5, 5] 上的曲线；下方为导数";
    assert_eq!(zh.description, zh_title);
    assert!(zh.svg.contains(&format!("aria-label=\"{zh_title}\"")));
    assert!(
        zh.svg
            .contains(&format!("<title>{zh_title}</title><desc>{zh_title}</desc>"))
    );
    assert!(
        en.description.starts_with("Curves of relu, leaky_relu"),
        "{}",
        en.description
    );
    let (zh, en) = (
        render(TYPICAL[4], Lang::ZhCn).unwrap(),
        render(TYPICAL[4], Lang::En).unwrap(),
    );
    assert!(
        zh.svg.contains(">梯度下降</text>")
            && zh.description.starts_with("梯度下降、动量法、Nesterov 动量在")
    );
    assert!(en.svg.contains(">gradient descent</text>") && !en.svg.contains("梯度"));
    assert_eq!(zh.caption, en.caption, "a caption the spec gives is the author's");
    let uncaptioned = render(TYPICAL[3], Lang::ZhCn).unwrap();
    assert_eq!(uncaptioned.caption, uncaptioned.description);
    assert!(uncaptioned.caption.contains("参数量"), "{}", uncaptioned.caption);
}

#[test]
fn chinese_labels_are_text() {
    let f = render(TYPICAL[10], crate::Lang::En).unwrap();
    assert!(f.svg.contains(">训练误差</text>") && f.svg.contains("Noto Sans CJK SC"));
    assert_eq!(f.caption, "训练误差与验证误差");
}

#[test]
fn same_spec_same_bytes() {
    for spec in TYPICAL {
        assert_eq!(render(spec, crate::Lang::En), render(spec, crate::Lang::En));
    }
}

#[test]
fn unknown_fields_list_the_spec_structs_fields() {
    for k in KINDS {
        let fields = (k.fields)();
        assert!(!fields.is_empty(), "{}", k.name);
        let e = render(&format!("kind: {}\nzzzz: 1\n", k.name), crate::Lang::En).unwrap_err();
        assert_eq!((e.line, e.field.as_deref()), (1, Some("zzzz")), "{}", k.name);
        assert!(
            e.message
                .ends_with(&format!("fields: kind, caption, {}", fields.join(", "))),
            "{}: {}",
            k.name,
            e.message
        );
    }
}

/// The field reference in the crate docs names every kind and every field of its spec.
#[test]
fn the_field_reference_documents_every_field() {
    let docs: String = include_str!("lib.rs")
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .collect::<Vec<_>>()
        .join("\n");
    for k in KINDS {
        let head = format!("- **`{}`**", k.name);
        let start = docs
            .find(&head)
            .unwrap_or_else(|| panic!("no entry for `{}`", k.name));
        let entry = &docs[start + head.len()..];
        let entry = &entry[..entry.find("- **`").unwrap_or(entry.len())];
        for f in (k.fields)() {
            assert!(
                entry.contains(&format!("`{f}`")),
                "`{}`: field `{f}` is not documented",
                k.name
            );
        }
    }
}

#[test]
fn unknown_kind_and_field_get_hints() {
    let e = render("caption: x\nkind: fuction\n", crate::Lang::En).unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (1, Some("kind")));
    assert_eq!(e.hint.as_deref(), Some("did you mean `function`?"), "{e}");
    let e = render(
        "kind: function\nseries: [relu]\nderivatve: true\n",
        crate::Lang::En,
    )
    .unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (2, Some("derivatve")));
    assert_eq!(e.hint.as_deref(), Some("did you mean `derivative`?"), "{e}");
    let e = render("kind: function\nx: [-1, 1]\n", crate::Lang::En).unwrap_err();
    assert_eq!(e.field.as_deref(), Some("series"));
}

#[test]
fn malformed_yaml_and_types_are_errors_not_panics() {
    for bad in [
        "",
        "kind: [",
        "- a\n- b\n",
        "kind: function\nseries: relu\n",
        "kind: function\nseries: [relu]\nx: [1]\n",
        "kind: function\nseries: [relu]\nx: [5, -5]\n",
        "kind: function\nseries: [relu]\nsamples: -3\n",
        "kind: grid\nop: avg-pool\ninput: []\n",
        "kind: grid\nop: bilinear\ninput: [[1, 2], [3, 4]]\nscale: 0\n",
        "kind: bar\ncategories: [a, b]\nseries: [{label: x, values: [1]}]\n",
        "kind: line\nseries: [{label: x, values: [1, .nan]}]\n",
        "kind: receptive-field\nlayers: []\n",
        "kind: conv-cost\nsweep: c_out\n",
        "kind: optimizer\nmomentum: 1.5\n",
    ] {
        let e = render(bad, crate::Lang::En).expect_err(bad);
        assert!(e.line <= bad.lines().count(), "{bad}: {e}");
        assert!(!e.message.is_empty());
    }
    let e = render("kind: function\nseries: [relu]\nx: [5, -5]\n", crate::Lang::En).unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (2, Some("x")));
    let e = render(
        "kind: function\nseries: [relu]\nderivative: maybe\n",
        crate::Lang::En,
    )
    .unwrap_err();
    assert_eq!((e.line, e.field.as_deref()), (2, Some("derivative")));
}
