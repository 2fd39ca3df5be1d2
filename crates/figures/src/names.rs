//! The one "did you mean …?" rule of figmark: for figure kinds, fields and values here, and for
//! the pages, anchors and files of the main crate's link checker, so every hint reads alike.

/// The candidate nearest to `wanted` if it is a likely typo: at most a third of `wanted`'s
/// length (and at least 1) edits away, counting characters and a swap of neighbours as one
/// edit, or starting with `wanted` when that has three characters or more. Ties go to the
/// candidate that sorts first, so the hint is deterministic.
pub fn nearest<'c>(wanted: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let n = wanted.chars().count();
    let limit = (n / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::osa_distance(wanted, c), c))
        .filter(|(d, c)| *d <= limit || (n >= 3 && c.starts_with(wanted)))
        .min()
        .map(|(_, c)| c)
}

/// "did you mean `…`?" for the nearest candidate, if any.
pub(crate) fn hint(wanted: &str, candidates: &[&str]) -> Option<String> {
    nearest(wanted, candidates.iter().copied()).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_only() {
        let names = ["receptive-field.md", "momentum.md"];
        assert_eq!(nearest("receptve-field.md", names), Some("receptive-field.md"));
        assert_eq!(nearest("zzzzzzzzzzzz", names), None);
        assert_eq!(
            nearest("感受野定义一二", ["感受野定义一", "感受野"]),
            Some("感受野定义一")
        );
        // A swap of neighbours is one edit; a prefix of three characters or more is enough.
        assert_eq!(nearest("dg", ["gd", "adam"]), Some("gd"));
        assert_eq!(nearest("conv", ["conv-cost", "grid"]), Some("conv-cost"));
        assert_eq!(nearest("co", ["conv-cost"]), None);
        assert_eq!(
            hint("fuction", &["function", "line"]).as_deref(),
            Some("did you mean `function`?")
        );
    }
}
