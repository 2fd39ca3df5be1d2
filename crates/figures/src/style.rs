//! The house style shared by every figure.
//!
//! - Drawn on a backend [`SCALE`] times larger than the display size, because plotters snaps
//!   coordinates to whole pixels; the root gets `viewBox="0 0 W H"` and `width="100%"` with no
//!   fixed height, so the browser scales it down smoothly and responsively.
//! - Themes: a figure follows the page's light or dark theme without a card behind it. Every
//!   colour that must change with the theme (text, axes, grid, empty cells, contours, the
//!   legend's ground) has a role, [`THEMED`]: the element keeps the light colour in its `fill`
//!   or `stroke` attribute and gets a class naming the role (`fill-ink`, `stroke-axis`), which
//!   the site's style.css maps to a custom property (`--fig-ink`, …) of each theme. Classes,
//!   not `style="fill: var(…)"`, because the sanitizer keeps classes and drops such styles on
//!   pages with raw HTML; the attributes are the fallback, so an SVG seen on its own (or
//!   printed) is drawn for a light ground on its white [`PAPER`] rectangle.
//! - Series colours do not change with the theme: [`PALETTE`] is Okabe–Ito (safe for
//!   colour-blind readers) with yellow left out and orange, sky blue and black moved to a
//!   middle lightness, so that every colour has a contrast of at least 3:1 (WCAG's figure for
//!   graphics) against both the light and the dark page ([`LIGHT_GROUND`], [`DARK_GROUND`]; a
//!   test computes it). Shaded cells are series colours at partial opacity, so they blend with
//!   whichever ground they lie on.
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

/// Okabe–Ito without yellow, orange, sky blue and black brought to a contrast of at least 3:1
/// against both grounds (see the module doc); grey last.
pub(super) const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2),
    RGBColor(0xD5, 0x5E, 0x00),
    RGBColor(0x00, 0x9E, 0x73),
    RGBColor(0xB0, 0x78, 0x00),
    RGBColor(0xCC, 0x79, 0xA7),
    RGBColor(0x3D, 0x8F, 0xC6),
    RGBColor(0x80, 0x80, 0x80),
];

/// The page grounds the palette is checked against: style.css's `--bg` in each theme.
#[cfg(test)]
pub(super) const LIGHT_GROUND: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
#[cfg(test)]
pub(super) const DARK_GROUND: RGBColor = RGBColor(0x0F, 0x14, 0x19);

/// WCAG's contrast ratio of two colours, 1 to 21.
#[cfg(test)]
pub(super) fn contrast(a: RGBColor, b: RGBColor) -> f64 {
    let luminance = |c: RGBColor| {
        let channel = |v: u8| {
            let v = f64::from(v) / 255.0;
            if v <= 0.04045 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * channel(c.0) + 0.7152 * channel(c.1) + 0.0722 * channel(c.2)
    };
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

/// The themed colours, as drawn on a light ground.
pub(super) const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(super) const AXIS: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(super) const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
/// An empty cell of a grid.
pub(super) const CELL: RGBColor = RGBColor(0xF2, 0xF2, 0xF2);
pub(super) const CONTOUR: RGBColor = RGBColor(0xB8, 0xB8, 0xB8);
/// The figure's own ground, and the legend's.
pub(super) const PAPER: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
/// The legend's border.
pub(super) const RULE: RGBColor = RGBColor(0xCC, 0xCC, 0xCC);

/// Each themed colour and its role, the class suffix style.css knows it by.
pub(super) const THEMED: [(&str, RGBColor); 7] = [
    ("ink", TEXT),
    ("axis", AXIS),
    ("grid", GRID),
    ("cell", CELL),
    ("contour", CONTOUR),
    ("paper", PAPER),
    ("rule", RULE),
];

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
            r#"<text x="{x:.1}" y="{y:.1}" font-size="{:.1}" text-anchor="{anchor}" fill="{}" class="fill-ink">{}</text>"#,
            size * SCALE,
            hex(TEXT),
            esc(text)
        );
    }

    /// Text rotated by `deg` degrees about its anchor point.
    pub(super) fn text_rotated(&mut self, x: f64, y: f64, size: f64, anchor: &str, deg: f64, text: &str) {
        let _ = write!(
            self.0,
            r#"<text x="{x:.1}" y="{y:.1}" dy="0.35em" font-size="{:.1}" text-anchor="{anchor}" fill="{}" class="fill-ink" transform="rotate({deg:.2} {x:.1} {y:.1})">{}</text>"#,
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
            r#"<rect x="{x0:.1}" y="{y0:.1}" width="{w:.1}" height="{h:.1}" rx="{:.1}" fill="{}" fill-opacity="0.9" stroke="{}" stroke-width="{:.1}" class="fill-paper stroke-rule"/>"#,
            4.0 * SCALE,
            hex(PAPER),
            hex(RULE),
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
/// the paper (white when seen on its own), and the font stack inherited by every `<text>`;
/// names the themed colours' roles in plotters' elements.
fn finish(raw: &str, w: u32, h: u32, description: &str, overlay: &str) -> String {
    let body_start = raw
        .find("<svg")
        .and_then(|i| raw[i..].find('>').map(|j| i + j + 1))
        .unwrap_or(0);
    let body_end = raw.rfind("</svg>").unwrap_or(raw.len()).max(body_start);
    let d = esc(description);
    let body = themed(raw[body_start..body_end].trim());
    let natural = f64::from(w) / SCALE;
    // The narrowest width at which the smallest text is still `PHONE_TEXT` / `WIDE_TEXT` CSS
    // px; style.css keeps the figure at least that wide and lets it scroll sideways instead.
    let smallest = smallest_font(&body).min(smallest_font(overlay)) / SCALE;
    let at = |px: f64| (natural * px / smallest).ceil();
    format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{d}" class="figmark-figure" font-family="{font}" style="--fig-phone:{phone}px;--fig-wide:{wide}px;max-width:{mw}px;height:auto"><title>{d}</title><desc>{d}</desc><rect x="0" y="0" width="{w}" height="{h}" rx="{r}" fill="{paper}" class="fill-paper"/>{body}{overlay}</svg>"##,
        font = esc(FONT),
        paper = hex(PAPER),
        mw = at(WIDE_TEXT).max(natural.round()),
        phone = at(PHONE_TEXT),
        wide = at(WIDE_TEXT),
        r = px(8.0),
    )
}

/// `svg` (plotters' elements) with a class on each element whose `fill` or `stroke` is a themed
/// colour, naming the attribute and the role: `fill-ink`, `stroke-grid`. Plotters writes no
/// class of its own, so there is never a second `class` attribute.
fn themed(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len() + svg.len() / 8);
    let mut rest = svg;
    while let Some(start) = rest.find('<') {
        let end = rest[start..].find('>').map_or(rest.len(), |e| start + e);
        let tag = &rest[start..end];
        let name_end = tag.find([' ', '/']).unwrap_or(tag.len());
        let classes: Vec<String> = ["fill", "stroke"]
            .iter()
            .filter_map(|attr| {
                let value = tag.split(&format!(" {attr}=\"")).nth(1)?.split('"').next()?;
                let (role, _) = THEMED.iter().find(|(_, c)| hex(*c).eq_ignore_ascii_case(value))?;
                Some(format!("{attr}-{role}"))
            })
            .collect();
        out.push_str(&rest[..start + name_end]);
        if !classes.is_empty() {
            let _ = write!(out, r#" class="{}""#, classes.join(" "));
        }
        out.push_str(&tag[name_end..]);
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
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
