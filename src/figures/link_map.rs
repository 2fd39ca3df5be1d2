//! The note graph for the home page: notes on a circle grouped by section, links as chords.
//!
//! A circular layout rather than a force simulation: it is deterministic, linear in the
//! number of notes, and keeps each section together as an arc.

use plotters::prelude::*;

use super::style;

/// Renders nodes `(title, group)` and edges `(from, to)` (indices into `nodes`; out-of-range
/// ones and self-loops are skipped) as an inline SVG.
pub fn link_map(nodes: &[(String, String)], edges: &[(usize, usize)]) -> String {
    let mut groups: Vec<&str> = Vec::new();
    for (_, g) in nodes {
        if !groups.contains(&g.as_str()) {
            groups.push(g);
        }
    }
    let group_of = |i: usize| groups.iter().position(|g| *g == nodes[i].1).unwrap_or(0);
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
        angle[i] = std::f64::consts::TAU * (slot as f64 - 0.5) / slots as f64 - std::f64::consts::FRAC_PI_2;
        slot += 1;
    }
    let valid: Vec<(usize, usize)> = edges
        .iter()
        .copied()
        .filter(|&(a, b)| a < nodes.len() && b < nodes.len() && a != b)
        .collect();
    let description = format!(
        "Link map of {} notes in {} sections ({}) with {} links",
        nodes.len(),
        groups.len(),
        groups.join(", "),
        valid.len()
    );
    let (w, h) = (720u32, 620u32);
    let labels = nodes.len() <= 60;
    let drawn = style::draw(w, h, &description, |root, ov| {
        let s = style::SCALE;
        let (cx, cy) = (f64::from(w) * 0.5 * s, f64::from(h) * 0.5 * s);
        let r = if labels { 200.0 } else { 260.0 } * s;
        let pos = |i: usize| (cx + r * angle[i].cos(), cy + r * angle[i].sin());
        let pix = |(x, y): (f64, f64)| (x.round() as i32, y.round() as i32);
        for &(a, b) in &valid {
            let (pa, pb) = (pos(a), pos(b));
            // A quadratic Bézier pulled towards the centre, sampled finely.
            let (qx, qy) = (cx * 0.6 + (pa.0 + pb.0) * 0.2, cy * 0.6 + (pa.1 + pb.1) * 0.2);
            let curve: Vec<(i32, i32)> = (0..=16)
                .map(|k| {
                    let t = f64::from(k) / 16.0;
                    let u = 1.0 - t;
                    pix((
                        u * u * pa.0 + 2.0 * u * t * qx + t * t * pb.0,
                        u * u * pa.1 + 2.0 * u * t * qy + t * t * pb.1,
                    ))
                })
                .collect();
            let c = style::color(group_of(a));
            root.draw(&PathElement::new(
                curve,
                c.mix(0.35).stroke_width(style::px(1.0) as u32),
            ))?;
        }
        for i in 0..nodes.len() {
            let c = style::color(group_of(i));
            root.draw(&Circle::new(pix(pos(i)), style::px(4.5), c.filled()))?;
            if labels {
                let deg = angle[i].to_degrees();
                let left = angle[i].cos() < 0.0;
                let (lx, ly) = (
                    cx + (r + 10.0 * s) * angle[i].cos(),
                    cy + (r + 10.0 * s) * angle[i].sin(),
                );
                let rot = if left { deg + 180.0 } else { deg };
                ov.text_rotated(lx, ly, 11.0, if left { "end" } else { "start" }, rot, &nodes[i].0);
            }
        }
        let (bw, bh) = ((f64::from(w) * s) as i32, (f64::from(h) * s) as i32);
        ov.legend(&(0..bw / 4, 0..bh / 4), &groups, &[]);
        Ok(())
    });
    // Drawing into a String cannot fail; if plotters ever reports an error, the page still
    // gets a valid, described SVG.
    drawn.unwrap_or_else(|_| {
        format!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="100%" role="img" aria-label="{d}"><title>{d}</title><desc>{d}</desc></svg>"#,
            d = style::esc(&description)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_map_is_deterministic_and_labelled() {
        let nodes: Vec<(String, String)> = (0..12)
            .map(|i| {
                (
                    format!("笔记 <{i}>"),
                    ["卷积", "优化", "激活函数"][i % 3].to_string(),
                )
            })
            .collect();
        let edges = [(0, 1), (2, 5), (7, 3), (3, 99), (4, 4)];
        let a = link_map(&nodes, &edges);
        assert_eq!(a, link_map(&nodes, &edges));
        assert!(a.contains(
            "<title>Link map of 12 notes in 3 sections (卷积, 优化, 激活函数) with 3 links</title>"
        ));
        assert!(a.contains("笔记 &lt;7&gt;"));
        assert!(!a.contains(" id="));
        assert!(link_map(&[], &[]).contains("<title>"));
    }
}
