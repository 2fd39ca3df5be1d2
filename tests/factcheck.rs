//! The notes' numbers, recomputed: `scripts/factcheck/factcheck.py` (Python, standard library
//! only) on the real notes, and on a copy with edited numbers, which it must reject.

mod common;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use common::{copy_tree, repo_root};

fn factcheck(root: &Path) -> Output {
    Command::new("python3")
        .arg(repo_root().join("scripts/factcheck/factcheck.py"))
        .arg("--root")
        .arg(root)
        .output()
        .expect("python3 runs (CI machines have it)")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn every_number_the_notes_state_is_recomputed() {
    let out = factcheck(&repo_root());
    let log = text(&out);
    assert!(out.status.success(), "{log}");
    let checked: usize = log
        .lines()
        .find_map(|l| l.strip_suffix(" failed"))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no summary line:\n{log}"));
    assert!(checked >= 150, "only {checked} claims checked:\n{log}");
}

/// Replaces `from` (which must occur) in one note of the copied site.
fn edit(root: &Path, note: &str, from: &str, to: &str) {
    let path = root.join("content").join(note);
    let body = fs::read_to_string(&path).unwrap();
    assert!(body.contains(from), "{note} no longer holds {from:?}");
    fs::write(&path, body.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_edited_number_a_changed_figure_and_a_lost_claim_each_fail() {
    let tmp = tempfile::tempdir().unwrap();
    copy_tree(&repo_root().join("content"), &tmp.path().join("content"));
    // A number in the text, a figure's parameter that the text describes, a claim reworded away.
    edit(
        tmp.path(),
        "cnn/depthwise-separable-convolution.md",
        "比值为 $0.142$",
        "比值为 $0.152$",
    );
    edit(tmp.path(), "optimization/momentum.md", "lr: 0.45", "lr: 0.3");
    edit(
        tmp.path(),
        "activation/activation-functions.md",
        "$|x| > 1.66$",
        "$|x|$ 较大",
    );
    let out = factcheck(tmp.path());
    let log = text(&out);
    assert!(!out.status.success(), "edited notes passed:\n{log}");
    // Each failure is one line naming the note and the claim (the line number moves with edits).
    for expected in [
        &[
            "FAIL  cnn/depthwise-separable-convolution.md: C_out = 32: ratio: line ",
            "note says 0.152, computed 0.142361",
        ][..],
        &["FAIL  optimization/momentum.md: figure 1 caption states its lr, μ and steps"],
        &["FAIL  activation/activation-functions.md: tanh′ < σ′ beyond |x| = 1.66: claim not found"],
    ] {
        assert!(
            log.lines().any(|l| expected.iter().all(|part| l.contains(part))),
            "no line with {expected:?} in:\n{log}"
        );
    }
}
