//! The house style shared by every figure.
//!
//! - Drawn on a backend [`SCALE`] times larger than the display size, because plotters snaps
//!   coordinates to whole pixels; the root gets `viewBox="0 0 W H"` and `width="100%"` with no
//!   fixed height, so the browser scales it down smoothly and responsively.
//! - Dark mode: every figure sits on a white rounded card. The Okabe–Ito palette (safe for
//!   colour-blind readers) and the value-shaded grid cells are tuned for a light ground;
//!   switching axes and text to `currentColor` would leave filled cells and coloured curves
//!   with poor contrast on a dark page, while a card reads well on both.
//! - Text is real `<text>`: plotters is built without font features, so its layout uses a
//!   crude width estimate; legends and annotations are therefore written here as SVG text with
//!   our own CJK-aware estimate, in a font stack with CJK fallbacks.
//! - No `id` attributes anywhere, so several figures can be inlined in one page; the root is
//!   labelled with `aria-label`, not `aria-labelledby`.

use std::error::Error;
use std::fmt::Write as _;
use std::ops::Range;

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::FigureError;

/// Backend pixels per display pixel.
pub(super) const SCALE: f64 = 2.0;

/// Font stack with CJK fallbacks; no font is needed at build time.
pub(super) const FONT: &str = "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

/// Okabe–Ito, without yellow (too light on white), black last.
pub(super) const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xE6, 0x9F, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x56, 0xB4, 0xE9),
    RGBColor(0x00, 0x00, 0x00),
];

pub(super) const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const AXIS: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(super) const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);

pub(super) type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
pub(super) type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;
pub(super) type DrawResult<T = ()> = Result<T, Box<dyn Error>>;

pub(super) fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// A text style of `px` display pixels (plotters writes `size / 1.24` into the SVG).
pub(super) fn font(px: f64) -> TextStyle<'static> {
    TextStyle::from((FontFamily::Name(FONT), px * SCALE * 1.24)).color(&TEXT)
}

/// Scales a display length to backend pixels.
pub(super) fn px(v: f64) -> i32 {
    (v * SCALE).round() as i32
}

/// A line style of `w` display pixels.
pub(super) fn stroke(c: RGBColor, w: f64) -> ShapeStyle {
    c.stroke_width(px(w).max(1) as u32)
}

/// SVG elements written after plotters' output (legends, annotations).
#[derive(Default)]
pub(super) struct Overlay(String);

impl Overlay {
    /// Text at backend coordinates; `anchor` is `start`, `middle` or `end`.
    pub(super) fn text(&mut self, x: f64, y: f64, size: f64, anchor: &str, text: &str) {
        let _ = write!(
            self.0,
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{:.1}" text-anchor="{anchor}" fill="{}">{}</text>"#,
            size * SCALE,
            hex(TEXT),
            esc(text)
        );
    }

    /// Text rotated by `deg` degrees about its anchor point.
    pub(super) fn text_rotated(&mut self, x: f64, y: f64, size: f64, anchor: &str, deg: f64, text: &str) {
        let _ = write!(
            self.0,
            r#"<text x="{x:.1}" y="{y:.1}" dy="0.35em" font-size="{:.1}" text-anchor="{anchor}" fill="{}" transform="rotate({deg:.2} {x:.1} {y:.1})">{}</text>"#,
            size * SCALE,
            hex(TEXT),
            esc(text)
        );
    }

    /// A legend in the plot-area corner that covers the fewest of `points` (backend coords).
    /// Series are drawn in palette order, so label `i` gets [`color`]`(i)`.
    pub(super) fn legend(
        &mut self,
        plot: &(Range<i32>, Range<i32>),
        labels: &[impl AsRef<str>],
        points: &[(i32, i32)],
    ) {
        if labels.is_empty() {
            return;
        }
        let size = 12.5 * SCALE;
        let row = size * 1.5;
        let swatch = 22.0 * SCALE;
        let pad = 8.0 * SCALE;
        let text_w = labels
            .iter()
            .map(|l| text_width(l.as_ref(), size))
            .fold(0.0, f64::max);
        let w = pad * 2.0 + swatch + 6.0 * SCALE + text_w;
        let h = pad * 2.0 + row * labels.len() as f64;
        let (xr, yr) = plot;
        let inset = 8.0 * SCALE;
        let corners = [
            (f64::from(xr.start) + inset, f64::from(yr.start) + inset),
            (f64::from(xr.end) - inset - w, f64::from(yr.start) + inset),
            (f64::from(xr.start) + inset, f64::from(yr.end) - inset - h),
            (f64::from(xr.end) - inset - w, f64::from(yr.end) - inset - h),
        ];
        let covered = |(x0, y0): (f64, f64)| {
            points
                .iter()
                .filter(|(x, y)| {
                    let (x, y) = (f64::from(*x), f64::from(*y));
                    x >= x0 && x <= x0 + w && y >= y0 && y <= y0 + h
                })
                .count()
        };
        let mut best = corners[0];
        let mut best_count = covered(best);
        for c in &corners[1..] {
            let n = covered(*c);
            if n < best_count {
                best = *c;
                best_count = n;
            }
        }
        let (x0, y0) = best;
        let _ = write!(
            self.0,
            r##"<rect x="{x0:.1}" y="{y0:.1}" width="{w:.1}" height="{h:.1}" rx="{:.1}" fill="#ffffff" fill-opacity="0.9" stroke="#cccccc" stroke-width="{:.1}"/>"##,
            4.0 * SCALE,
            SCALE
        );
        for (i, label) in labels.iter().enumerate() {
            let cy = y0 + pad + row * (i as f64 + 0.5);
            let _ = write!(
                self.0,
                r#"<line x1="{:.1}" y1="{cy:.1}" x2="{:.1}" y2="{cy:.1}" stroke="{}" stroke-width="{:.1}"/>"#,
                x0 + pad,
                x0 + pad + swatch,
                hex(color(i)),
                2.5 * SCALE
            );
            self.text(
                x0 + pad + swatch + 6.0 * SCALE,
                cy + size * 0.35,
                12.5,
                "start",
                label.as_ref(),
            );
        }
    }
}

/// Estimated width of `s` at font size `size`: CJK and full-width characters are one em,
/// others a bit over half an em.
pub(super) fn text_width(s: &str, size: f64) -> f64 {
    s.chars()
        .map(|c| if u32::from(c) >= 0x2E80 { 1.0 } else { 0.6 })
        .sum::<f64>()
        * size
}

pub(super) fn hex(c: RGBColor) -> String {
    format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2)
}

/// Escapes text for SVG content and attribute values.
pub(super) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

/// A number for labels: fixed precision (at most 3 decimals, trailing zeros trimmed), with
/// k/M/G suffixes above 10,000, so output is deterministic and short.
pub(super) fn num(v: f64) -> String {
    if !v.is_finite() {
        return "–".into();
    }
    let a = v.abs();
    let (scaled, suffix) = if a >= 1e12 {
        (v / 1e12, "T")
    } else if a >= 1e9 {
        (v / 1e9, "G")
    } else if a >= 1e6 {
        (v / 1e6, "M")
    } else if a >= 1e4 {
        (v / 1e3, "k")
    } else {
        (v, "")
    };
    let decimals = if suffix.is_empty() && a < 1.0 { 3 } else { 2 };
    let mut s = format!("{scaled:.decimals$}");
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if s == "-0" {
        s = "0".into();
    }
    s + suffix
}

/// Draws one figure of `w`×`h` display pixels and finishes its SVG.
pub(super) fn draw(
    w: u32,
    h: u32,
    description: &str,
    f: impl FnOnce(&Area, &mut Overlay) -> DrawResult,
) -> Result<String, FigureError> {
    let (bw, bh) = ((f64::from(w) * SCALE) as u32, (f64::from(h) * SCALE) as u32);
    let mut raw = String::new();
    let mut overlay = Overlay::default();
    {
        let root = SVGBackend::with_string(&mut raw, (bw, bh)).into_drawing_area();
        f(&root, &mut overlay)
            .and_then(|()| root.present().map_err(Into::into))
            .map_err(|e| FigureError {
                line: 0,
                field: None,
                message: format!("could not draw the figure: {e}"),
                hint: None,
            })?;
    }
    Ok(finish(&raw, bw, bh, description, &overlay.0))
}

/// Replaces plotters' root element: responsive `viewBox`, accessible name and description,
/// the white card, and the font stack inherited by every `<text>`.
fn finish(raw: &str, w: u32, h: u32, description: &str, overlay: &str) -> String {
    let body_start = raw
        .find("<svg")
        .and_then(|i| raw[i..].find('>').map(|j| i + j + 1))
        .unwrap_or(0);
    let body_end = raw.rfind("</svg>").unwrap_or(raw.len()).max(body_start);
    let d = esc(description);
    let body = raw[body_start..body_end].trim();
    let natural = f64::from(w) / SCALE;
    // The narrowest width at which the smallest text is still `PHONE_TEXT` / `WIDE_TEXT` CSS
    // px; style.css keeps the figure at least that wide and lets it scroll sideways instead.
    let smallest = smallest_font(body).min(smallest_font(overlay)) / SCALE;
    let at = |px: f64| (natural * px / smallest).ceil();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{d}" class="figmark-figure" font-family="{font}" style="--fig-phone:{phone}px;--fig-wide:{wide}px;max-width:{mw}px;height:auto"><title>{d}</title><desc>{d}</desc><rect x="0" y="0" width="{w}" height="{h}" rx="{r}" fill="#ffffff"/>{body}{overlay}</svg>"##,
        font = esc(FONT),
        mw = at(WIDE_TEXT).max(natural.round()),
        phone = at(PHONE_TEXT),
        wide = at(WIDE_TEXT),
        r = px(8.0),
    )
}

/// The smallest legible text, in CSS px, on a phone and on a wide screen.
const PHONE_TEXT: f64 = 10.0;
const WIDE_TEXT: f64 = 12.0;

/// The smallest `font-size` attribute in `svg`, in backend pixels (infinite when none).
fn smallest_font(svg: &str) -> f64 {
    svg.split("font-size=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse::<f64>().ok())
        .fold(f64::INFINITY, f64::min)
}

/// Axes for a standard chart.
pub(super) struct Axes<'s> {
    pub x: Range<f64>,
    pub y: Range<f64>,
    pub xdesc: &'s str,
    pub ydesc: &'s str,
    pub title: Option<&'s str>,
    /// y values are log10 of the data; tick labels show the data values.
    pub ylog: bool,
    /// Categorical x axis: labels at 0, 1, …, drawn by the caller, so plotters draws none.
    pub categories: bool,
}

/// Builds a chart with the house mesh: light grid, no minor lines, grey axes.
pub(super) fn chart<'a, 'b>(area: &'a Area<'b>, axes: &Axes) -> DrawResult<Chart<'a, 'b>> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(px(14.0))
        .x_label_area_size(px(if axes.xdesc.is_empty() { 26.0 } else { 46.0 }))
        .y_label_area_size(px(if axes.ydesc.is_empty() { 52.0 } else { 78.0 }));
    if let Some(t) = axes.title {
        builder.caption(t, font(14.0));
    }
    let mut chart = builder.build_cartesian_2d(axes.x.clone(), axes.y.clone())?;
    // On a log axis spanning a decade or more, label only the powers of ten.
    let whole_decades = axes.ylog && axes.y.end - axes.y.start >= 1.0;
    let ylog = axes.ylog;
    let yfmt = move |v: &f64| {
        if whole_decades && (v - v.round()).abs() > 1e-9 {
            String::new()
        } else if ylog && *v < -3.0 {
            // Below 0.001 `num` would write 0.
            let d = 10f64.powf(*v);
            if whole_decades {
                format!("{d:.0e}")
            } else {
                format!("{d:.1e}")
            }
        } else if ylog {
            num(10f64.powf(*v))
        } else {
            num(*v)
        }
    };
    let xfmt = |v: &f64| num(*v);
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(stroke(GRID, 1.0))
        .light_line_style(TRANSPARENT)
        .axis_style(stroke(AXIS, 1.0))
        .set_all_tick_mark_size(px(4.0))
        .label_style(font(12.0))
        .axis_desc_style(font(13.0))
        .x_labels(if axes.categories { 0 } else { 8 })
        .y_labels(6)
        .x_label_formatter(&xfmt)
        .y_label_formatter(&yfmt);
    if axes.categories {
        mesh.disable_x_mesh();
    }
    if !axes.xdesc.is_empty() {
        mesh.x_desc(axes.xdesc);
    }
    if !axes.ydesc.is_empty() {
        mesh.y_desc(axes.ydesc);
    }
    mesh.draw()?;
    Ok(chart)
}

/// Splits `points` into runs of finite values, so gaps (NaN, ±∞) break a curve.
pub(super) fn finite_runs(points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut runs = Vec::new();
    let mut cur = Vec::new();
    for &(x, y) in points {
        if y.is_finite() {
            cur.push((x, y));
        } else if !cur.is_empty() {
            runs.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        runs.push(cur);
    }
    runs
}

/// A y range that fits `values` (finite ones) with 5% headroom; `None` when none is finite.
pub(super) fn fit_range(values: impl Iterator<Item = f64>) -> Option<Range<f64>> {
    let (lo, hi) = values
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if lo > hi {
        return None;
    }
    let span = if hi - lo > 1e-12 {
        hi - lo
    } else {
        lo.abs().max(1.0)
    };
    Some(lo - span * 0.05..hi + span * 0.05)
}
