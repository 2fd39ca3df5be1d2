//! The home page's link map: how the notes link to each other, drawn at build time.
//!
//! Nodes sit on a circle grouped by section, links are chords: a circular layout rather than a
//! force simulation, because it is deterministic, linear in the number of nodes, and keeps each
//! section together as an arc.
//!
//! # What is drawn as the site grows
//!
//! A page's size must not grow with the number of pages (`tests/scale.rs`), and a map of
//! thousands of dots is unreadable anyway (drawing every note made the home page 770 KB at 1,000
//! notes and 8 MB at 10,000). So [`LinkMap::new`] decides what the map shows:
//!
//! - Up to [`MAX_NOTES`] notes (the home page's map counts every page but the home, sections'
//!   own pages included), every note is a dot coloured by its section (with its title up to 60
//!   notes) and every link a chord. Screenshots chose 120: the dots, 9 px wide on a circle
//!   of 260 px radius, still have a gap of about 4 px between them (at 150 they nearly touch),
//!   and the home page is then about 95 KB.
//! - Above that, every section that holds notes is one dot, labelled with its title and sized by
//!   its number of notes; two sections are joined by one chord whose width and opacity are
//!   proportional to the number of links between their notes (both directions counted), with a
//!   key. Links within a section are not drawn (a loop on its own dot would cover the chords);
//!   the description counts them.
//! - Above [`MAX_SECTIONS`] sections, only the sections with the most links to other sections
//!   are shown (a tie goes to the section earlier in reading order), and the description and the
//!   caption say how many are shown of how many. 30 labels are about 40 px apart on the circle;
//!   their 435 possible chords are already dense when every pair of sections is linked.
//!
//! Either way the figure holds a bounded number of dots and chords. [`LinkMap`] is the data the
//! figure shows, so `figmark serve` can hash it and draw again only when it changed (renaming a
//! note, say, does not redraw a map of sections).

use std::cmp::Reverse;
use std::collections::BTreeMap;
use std::f64::consts::{FRAC_PI_2, TAU};
use std::fmt::Display;

use plotters::prelude::*;

use crate::text::{self, Lang, Text};
use crate::{Figure, style};

/// The most notes drawn one by one; above, the map shows sections.
pub(crate) const MAX_NOTES: usize = 120;

/// The most sections a map of sections shows.
pub(crate) const MAX_SECTIONS: usize = 30;

/// Display size, the same for both maps: with its 12 px labels it fits the 714 px text column of
/// a wide screen without scrolling (style.css keeps figure text at 12 px there).
const W: u32 = 700;
const H: u32 = 620;

/// The labels' and the key's font size, in display pixels.
const LABEL: f64 = 12.0;

/// What the home page's map shows.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkMap {
    /// Every note (title, index into `sections`) and every link `(from, to)` between two notes.
    Notes {
        sections: Vec<String>,
        notes: Vec<(String, usize)>,
        links: Vec<(usize, usize)>,
    },
    Sections(SectionMap),
}

/// A map with one node per section.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SectionMap {
    /// Notes and sections in the whole site.
    notes: usize,
    sections: usize,
    /// The sections drawn, in reading order.
    shown: Vec<SectionNode>,
    /// `(a, b, links)` with `a < b`, indices into `shown`, in that order.
    chords: Vec<(usize, usize, usize)>,
    /// Links in the whole site joining two sections, and within one section.
    between: usize,
    within: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct SectionNode {
    title: String,
    /// Index into the site's sections (its colour, the same as in a map of notes).
    section: usize,
    notes: usize,
}

impl LinkMap {
    /// `sections` holds the title of each section that has notes, in reading order; `notes`
    /// each note's title and index into `sections`; `links` each link `(from, to)` between two
    /// notes (out-of-range ones and self-links are skipped).
    pub fn new(sections: Vec<String>, notes: Vec<(String, usize)>, links: &[(usize, usize)]) -> Self {
        let links = links
            .iter()
            .copied()
            .filter(|&(a, b)| a < notes.len() && b < notes.len() && a != b);
        if notes.len() <= MAX_NOTES {
            LinkMap::Notes {
                links: links.collect(),
                sections,
                notes,
            }
        } else {
            LinkMap::Sections(SectionMap::new(&sections, &notes, links))
        }
    }

    /// Draws the map as an inline SVG with its caption and description, in `lang`.
    pub fn draw(&self, lang: Lang) -> Figure {
        let t = lang.text();
        let (description, caption, drawn) = match self {
            LinkMap::Notes {
                sections,
                notes,
                links,
            } => draw_notes(sections, notes, links, t),
            LinkMap::Sections(map) => map.draw(t),
        };
        // Drawing into a String cannot fail; if plotters ever reports an error, the page still
        // gets a valid, described SVG.
        let svg = drawn.unwrap_or_else(|_| {
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {W} {H}" width="100%" role="img" aria-label="{d}"><title>{d}</title><desc>{d}</desc></svg>"#,
                d = style::esc(&description)
            )
        });
        Figure {
            svg,
            caption,
            description,
        }
    }
}

type Drawn = (String, String, Result<String, crate::FigureError>);

fn draw_notes(groups: &[String], nodes: &[(String, usize)], edges: &[(usize, usize)], t: &Text) -> Drawn {
    let group_of = |i: usize| nodes[i].1;
    // Order by section, keeping input order inside a section; one empty slot between sections.
    let mut order: Vec<usize> = (0..nodes.len()).collect();
    order.sort_by_key(|&i| group_of(i));
    let slots = nodes.len() + groups.len();
    let mut angle = vec![0.0; nodes.len()];
    let mut slot = 0;
    for (k, &i) in order.iter().enumerate() {
        if k == 0 || group_of(i) != group_of(order[k - 1]) {
            slot += 1;
        }
        angle[i] = TAU * (slot as f64 - 0.5) / slots as f64 - FRAC_PI_2;
        slot += 1;
    }
    let description = text::fill(
        &t.map_notes_description,
        &[
            ("notes", &nodes.len()),
            ("sections", &groups.len()),
            ("names", &groups.join(&t.comma)),
            ("links", &edges.len()),
        ],
    );
    let caption = t.map_notes_caption.clone();
    let labels = nodes.len() <= 60;
    let drawn = style::draw(W, H, &description, |root, ov| {
        let s = style::SCALE;
        let (cx, cy) = (f64::from(W) * 0.5 * s, f64::from(H) * 0.5 * s);
        let r = if labels { 200.0 } else { 260.0 } * s;
        let pos = |i: usize| (cx + r * angle[i].cos(), cy + r * angle[i].sin());
        for &(a, b) in edges {
            let c = style::color(group_of(a));
            root.draw(&PathElement::new(
                chord((cx, cy), pos(a), pos(b)),
                c.mix(0.35).stroke_width(style::px(1.0) as u32),
            ))?;
        }
        for (i, (title, group)) in nodes.iter().enumerate() {
            let c = style::color(*group);
            root.draw(&Circle::new(pix(pos(i)), style::px(4.5), c.filled()))?;
            if labels {
                label(ov, (cx, cy), r + 10.0 * s, angle[i], title, f64::INFINITY);
            }
        }
        let (bw, bh) = ((f64::from(W) * s) as i32, (f64::from(H) * s) as i32);
        ov.legend(&(0..bw / 4, 0..bh / 4), groups, &[]);
        Ok(())
    });
    (description, caption, drawn)
}

impl SectionMap {
    fn new(
        titles: &[String],
        notes: &[(String, usize)],
        links: impl Iterator<Item = (usize, usize)>,
    ) -> Self {
        let mut size = vec![0; titles.len()];
        for &(_, s) in notes {
            size[s] += 1;
        }
        let mut weights: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        let mut within = 0;
        for (a, b) in links {
            let (sa, sb) = (notes[a].1, notes[b].1);
            if sa == sb {
                within += 1;
            } else {
                *weights.entry((sa.min(sb), sa.max(sb))).or_default() += 1;
            }
        }
        let mut degree = vec![0; titles.len()];
        for (&(a, b), &w) in &weights {
            degree[a] += w;
            degree[b] += w;
        }
        let mut ranked: Vec<usize> = (0..titles.len()).collect();
        ranked.sort_by_key(|&s| (Reverse(degree[s]), s));
        ranked.truncate(MAX_SECTIONS);
        ranked.sort_unstable();
        let mut index = vec![None; titles.len()];
        for (k, &s) in ranked.iter().enumerate() {
            index[s] = Some(k);
        }
        SectionMap {
            notes: notes.len(),
            sections: titles.len(),
            shown: ranked
                .iter()
                .map(|&s| SectionNode {
                    title: titles[s].clone(),
                    section: s,
                    notes: size[s],
                })
                .collect(),
            chords: weights
                .iter()
                .filter_map(|(&(a, b), &w)| Some((index[a]?, index[b]?, w)))
                .collect(),
            between: weights.values().sum(),
            within,
        }
    }

    /// The description (for the SVG's title) and the caption.
    fn describe(&self, t: &Text) -> (String, String) {
        let names: Vec<&str> = self.shown.iter().map(|s| s.title.as_str()).collect();
        let counts = [
            ("notes", &self.notes as &dyn Display),
            ("sections", &self.sections),
        ];
        let mut description = text::fill(&t.map_sections_description, &counts);
        let mut caption = t.map_sections_caption.clone();
        if self.shown.len() < self.sections {
            let shown = [
                ("shown", &self.shown.len() as &dyn Display),
                ("sections", &self.sections),
            ];
            description.push_str(&text::fill(&t.map_sections_shown, &shown));
            caption.push_str(&text::fill(&t.map_sections_caption_shown, &shown));
        }
        let drawn_links: usize = self.chords.iter().map(|c| c.2).sum();
        description.push_str(&text::fill(
            &t.map_sections_rest,
            &[
                ("names", &names.join(&t.comma)),
                ("drawn", &drawn_links),
                ("between", &self.between),
                ("chords", &self.chords.len()),
                ("within", &self.within),
            ],
        ));
        (description, caption)
    }

    fn draw(&self, t: &Text) -> Drawn {
        let (description, caption) = self.describe(t);
        let n = self.shown.len();
        let angle = |k: usize| TAU * k as f64 / n as f64 - FRAC_PI_2;
        let most_notes = self.shown.iter().map(|s| s.notes).max().unwrap_or(1).max(1);
        let radius = |notes: usize| 3.0 + 6.0 * (notes as f64 / most_notes as f64).sqrt();
        let mut weights: Vec<usize> = self.chords.iter().map(|c| c.2).collect();
        weights.sort_unstable();
        let most = weights.last().copied().unwrap_or(1);
        let drawn = style::draw(W, H, &description, |root, ov| {
            let s = style::SCALE;
            let (cx, cy) = (f64::from(W) * 0.5 * s, f64::from(H) * 0.5 * s);
            let r = 200.0 * s;
            let pos = |k: usize| (cx + r * angle(k).cos(), cy + r * angle(k).sin());
            // Lightest first, so the heaviest chords lie on top.
            let mut chords = self.chords.clone();
            chords.sort_by_key(|&(a, b, links)| (links, a, b));
            for (a, b, links) in chords {
                root.draw(&PathElement::new(
                    chord((cx, cy), pos(a), pos(b)),
                    chord_line(links, most),
                ))?;
            }
            for (k, node) in self.shown.iter().enumerate() {
                let dot = radius(node.notes);
                let c = style::color(node.section);
                root.draw(&Circle::new(pix(pos(k)), style::px(dot), c.filled()))?;
                label(ov, (cx, cy), r + (dot + 6.0) * s, angle(k), &node.title, 110.0);
            }
            draw_key(root, ov, &weights, &t.map_key)
        });
        (description, caption, drawn)
    }
}

/// The line of a chord of `links` links when the heaviest has `most`: its width (in display
/// pixels) and its opacity both grow with the number of links.
fn chord_line(links: usize, most: usize) -> ShapeStyle {
    let width = 0.75 + 5.25 * links as f64 / most as f64;
    let opacity = ((0.2 + 0.5 * links as f64 / most as f64) * 100.0).round() / 100.0;
    style::AXIS
        .mix(opacity)
        .stroke_width((width * style::SCALE).round() as u32)
}

/// The key in the lower left, under its `title`: the fewest, the median and the most links of
/// a chord, from the sorted chord `weights`.
fn draw_key(
    root: &style::Area,
    ov: &mut style::Overlay,
    weights: &[usize],
    title: &str,
) -> style::DrawResult {
    let s = style::SCALE;
    let most = weights.last().copied().unwrap_or(1);
    let mut samples = match weights {
        [] => vec![],
        [first, ..] => vec![*first, weights[weights.len() / 2], most],
    };
    samples.dedup();
    let x = 16.0 * s;
    let mut y = (f64::from(H) - 16.0 - 20.0 * samples.len() as f64) * s;
    if !samples.is_empty() {
        ov.text(x, y, LABEL, "start", title);
    }
    for links in samples {
        y += 20.0 * s;
        let mid = y - 4.0 * s;
        root.draw(&PathElement::new(
            vec![pix((x, mid)), pix((x + 32.0 * s, mid))],
            chord_line(links, most),
        ))?;
        ov.text(x + 40.0 * s, y, LABEL, "start", &links.to_string());
    }
    Ok(())
}

fn pix((x, y): (f64, f64)) -> (i32, i32) {
    (x.round() as i32, y.round() as i32)
}

/// A quadratic Bézier from `a` to `b` pulled towards the centre `c`, sampled finely.
fn chord(c: (f64, f64), a: (f64, f64), b: (f64, f64)) -> Vec<(i32, i32)> {
    let (qx, qy) = (c.0 * 0.6 + (a.0 + b.0) * 0.2, c.1 * 0.6 + (a.1 + b.1) * 0.2);
    (0..=16)
        .map(|k| {
            let t = f64::from(k) / 16.0;
            let u = 1.0 - t;
            pix((
                u * u * a.0 + 2.0 * u * t * qx + t * t * b.0,
                u * u * a.1 + 2.0 * u * t * qy + t * t * b.1,
            ))
        })
        .collect()
}

/// A label pointing away from the centre `c` (the middle of the figure) at distance `r`, kept
/// upright on the left half, and cut to at most `max` display pixels and to the figure's edge.
fn label(ov: &mut style::Overlay, c: (f64, f64), r: f64, angle: f64, text: &str, max: f64) {
    let (cos, sin) = (angle.cos(), angle.sin());
    let to_edge = (c.0 / cos.abs()).min(c.1 / sin.abs());
    let room = (to_edge - r) / style::SCALE - 4.0;
    let text = fit(text, room.min(max), LABEL);
    let left = cos < 0.0;
    let (x, y) = (c.0 + r * cos, c.1 + r * sin);
    let deg = angle.to_degrees();
    let rot = if left { deg + 180.0 } else { deg };
    ov.text_rotated(x, y, LABEL, if left { "end" } else { "start" }, rot, &text);
}

/// `text` cut with an ellipsis to at most `max` display pixels at font size `size`.
fn fit(text: &str, max: f64, size: f64) -> String {
    if style::text_width(text, size) <= max {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        if style::text_width(&out, size) + style::text_width(&format!("{c}…"), size) > max {
            break;
        }
        out.push(c);
    }
    out + "…"
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes_in(sections: &[usize]) -> Vec<(String, usize)> {
        sections
            .iter()
            .enumerate()
            .map(|(i, &s)| (format!("笔记 {i}"), s))
            .collect()
    }

    fn titles(n: usize) -> Vec<String> {
        (0..n).map(|s| format!("第 {s} 节")).collect()
    }

    #[test]
    fn link_map_is_deterministic_and_labelled() {
        let nodes: Vec<(String, usize)> = (0..12).map(|i| (format!("笔记 <{i}>"), i % 3)).collect();
        let sections: Vec<String> = ["卷积", "优化", "激活函数"].map(String::from).into();
        let edges = [(0, 1), (2, 5), (7, 3), (3, 99), (4, 4)];
        let map = LinkMap::new(sections.clone(), nodes.clone(), &edges);
        let a = map.draw(Lang::En);
        assert_eq!(a, LinkMap::new(sections, nodes, &edges).draw(Lang::En));
        assert!(a.svg.contains(
            "<title>Link map of 12 notes in 3 sections (卷积, 优化, 激活函数) with 3 links</title>"
        ));
        assert!(a.svg.contains("笔记 &lt;7&gt;"));
        assert!(!a.svg.contains(" id="));
        assert!(a.caption.starts_with("Links between the notes"));
        let zh = map.draw(Lang::ZhCn);
        assert!(zh.caption.starts_with("笔记之间的链接"));
        assert!(
            zh.svg
                .contains("aria-label=\"12 篇笔记、3 个章节（卷积、优化、激活函数）的链接图，共 3 处链接\""),
            "{}",
            zh.svg
        );
        assert!(
            LinkMap::new(vec![], vec![], &[])
                .draw(Lang::En)
                .svg
                .contains("<title>")
        );
    }

    #[test]
    fn notes_are_drawn_one_by_one_up_to_the_limit() {
        let at_limit = LinkMap::new(titles(1), notes_in(&[0; MAX_NOTES]), &[]);
        assert!(matches!(at_limit, LinkMap::Notes { .. }));
        let above = LinkMap::new(titles(1), notes_in(&[0; MAX_NOTES + 1]), &[]);
        assert!(matches!(above, LinkMap::Sections(_)));
    }

    #[test]
    fn links_are_counted_between_sections_in_both_directions() {
        // Notes 0..150 in section 0, 150..300 in section 1, 300..301 in section 2.
        let mut of = vec![0; 150];
        of.extend([1; 150]);
        of.push(2);
        let links = [
            (0, 150),
            (151, 1),
            (2, 152),
            (0, 1),
            (150, 151),
            (152, 150),
            (300, 0),
            (0, 0),
            (5, 999),
        ];
        let LinkMap::Sections(map) = LinkMap::new(titles(3), notes_in(&of), &links) else {
            panic!("301 notes are drawn by section");
        };
        assert_eq!(map.chords, [(0, 1, 3), (0, 2, 1)]);
        assert_eq!((map.between, map.within), (4, 3));
        let sizes: Vec<usize> = map.shown.iter().map(|s| s.notes).collect();
        assert_eq!(sizes, [150, 150, 1]);
        let fig = LinkMap::Sections(map).draw(Lang::En);
        assert!(fig.svg.contains("<title>Link map of 301 notes in 3 sections, one node per section (第 0 节, 第 1 节, 第 2 节), sized by notes; 4 of the 4 links between sections drawn as 2 weighted chords; 3 links within a section not drawn</title>"), "{}", fig.svg);
        assert!(fig.svg.contains(">第 2 节</text>") && !fig.svg.contains(">笔记 "));
        assert!(!fig.caption.contains("Only the"));
    }

    #[test]
    fn the_sections_with_most_links_are_shown_ties_to_the_earlier() {
        // 40 sections of five notes, joined in pairs (2j, 2j + 1): one link each for the first
        // 20 sections, two for the last 20. Four links within section 15 do not rank it.
        let sections = 40;
        const {
            assert!(
                MAX_SECTIONS == 30,
                "the expected sections below assume 30 are shown"
            )
        };
        let of: Vec<usize> = (0..sections * 5).map(|i| i / 5).collect();
        let mut links = Vec::new();
        for j in 0..sections / 2 {
            let (a, b) = (2 * j * 5, (2 * j + 1) * 5);
            links.push((b, a));
            if j >= 10 {
                links.push((a + 1, b + 1));
            }
        }
        links.extend([(75, 76), (76, 77), (77, 78), (78, 75)]);
        let map = LinkMap::new(titles(sections), notes_in(&of), &links);
        let mut reversed = links.clone();
        reversed.reverse();
        assert_eq!(map, LinkMap::new(titles(sections), notes_in(&of), &reversed));
        let LinkMap::Sections(sections_map) = &map else {
            panic!("200 notes are drawn by section");
        };
        // All 20 with two links, then the first 10 of those with one, in reading order.
        let shown: Vec<usize> = sections_map.shown.iter().map(|n| n.section).collect();
        let expected: Vec<usize> = (0..10).chain(20..40).collect();
        assert_eq!(shown, expected);
        assert_eq!(sections_map.chords.len(), 15);
        assert_eq!(sections_map.chords[0], (0, 1, 1));
        assert_eq!(sections_map.chords[5], (10, 11, 2));
        assert_eq!((sections_map.between, sections_map.within), (30, 4));
        let (fig, zh) = (map.draw(Lang::En), map.draw(Lang::ZhCn));
        assert!(
            fig.description
                .contains("the 30 of 40 sections with the most links to other sections are shown (第 0 节, ")
                && fig
                    .description
                    .contains("25 of the 30 links between sections drawn as 15 weighted chords"),
            "{}",
            fig.description
        );
        assert!(
            zh.caption
                .contains("只画出与其他章节链接最多的 30 个章节（共 40 个）")
        );
        assert!(fig.svg.contains(">第 39 节</text>") && !fig.svg.contains(">第 15 节</text>"));
    }

    #[test]
    fn a_map_of_sections_changes_with_links_not_with_note_titles() {
        // `figmark serve` redraws the map when this value changes.
        let of: Vec<usize> = (0..200).map(|i| i / 100).collect();
        let map = LinkMap::new(titles(2), notes_in(&of), &[(0, 100)]);
        let mut renamed = notes_in(&of);
        renamed[0].0 = "新的标题".into();
        assert_eq!(map, LinkMap::new(titles(2), renamed, &[(0, 100)]));
        assert_ne!(map, LinkMap::new(titles(2), notes_in(&of), &[(0, 100), (1, 101)]));
        assert_ne!(map, LinkMap::new(titles(2), notes_in(&of), &[(0, 100), (1, 2)]));
    }

    #[test]
    fn long_section_titles_are_cut() {
        assert_eq!(fit("卷积", 110.0, 11.0), "卷积");
        let cut = fit(&"很长的章节标题".repeat(4), 110.0, 11.0);
        assert!(
            cut.ends_with('…') && style::text_width(&cut, 11.0) <= 110.0,
            "{cut}"
        );
    }
}
