//! Shared helpers of the integration tests: fixture paths, builds into temp folders, and a
//! small reader of the links in built HTML.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use tempfile::TempDir;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The repository itself: the real notes.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Builds the site at `root` into a fresh temp folder; panics with every diagnostic on failure.
pub fn build(root: &Path) -> (TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("public");
    if let Err(diagnostics) = figmark::build::build(root, &out) {
        let text: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
        panic!("build of {} failed:\n{}", root.display(), text.join("\n"));
    }
    (tmp, out)
}

/// Copies a folder tree, so a test can edit a fixture.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            fs::create_dir_all(&target).unwrap();
        } else {
            fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, keyed by relative path.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

pub fn read(out: &Path, rel: &str) -> String {
    fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The values of every `attr="…"` in `html`, unescaped for `&amp;`.
pub fn attr_values(html: &str, attr: &str) -> Vec<String> {
    let needle = format!(" {attr}=\"");
    let mut values = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find(&needle) {
        rest = &rest[start + needle.len()..];
        let end = rest.find('"').unwrap();
        values.push(rest[..end].replace("&amp;", "&"));
        rest = &rest[end..];
    }
    values
}

/// The ids in a page, percent-decoding not needed: ids are written raw.
pub fn ids(html: &str) -> Vec<String> {
    attr_values(html, "id")
}

pub fn html_files(out: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(out)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| e.path().to_path_buf())
        .collect()
}

pub fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

const ZH: &[&str] = &[
    "卷积神经网络通过局部连接和参数共享减少参数量，同时保留图像的空间结构。",
    "感受野随着网络加深而增大，下采样让之后每一层的贡献翻倍。",
    "批归一化把每一层的输入拉回到均值为零、方差为一的分布，训练因此更稳定。",
    "动量法在梯度方向一致时加速，在方向来回变化时减小震荡。",
    "过拟合时训练误差很小而验证误差很大，正则化和数据增强都能缓解。",
    "激活函数引入非线性，否则多层网络等价于一层线性变换。",
];
const EN: &[&str] = &[
    "A residual connection lets the gradient flow through an identity path, so deep stacks still train.",
    "Depthwise separable convolution splits a standard convolution into a per-channel step and a 1x1 step.",
    "The learning rate schedule matters as much as the optimizer: warm-up avoids early divergence.",
    "Dropout randomly zeroes activations during training, which acts like an ensemble of thinner networks.",
];

/// A word only note `i` of [`generate_notes`] holds: `q` and `i` in base 26 (as
/// `scripts/gen_corpus.py` writes it).
pub fn unique_word(mut i: usize) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'a' + (i % 26) as u8);
        i /= 26;
        if i == 0 {
            break;
        }
    }
    letters.push(b'q');
    letters.reverse();
    String::from_utf8(letters).unwrap()
}

/// The path under `content/` and the output path of note `i` of [`generate_notes`].
pub fn note_path(i: usize) -> (String, String) {
    let (s, k) = (i / 50, i % 50);
    (format!("s{s:03}/n{k:03}.md"), format!("s{s:03}/n{k:03}.html"))
}

/// A site of `n` notes in sections of 50, shaped like the benchmark corpus's prose
/// (`scripts/gen_corpus.py`, without its code and math, which only slow a debug build): Chinese
/// and English sentences, three headings, a list, a link to the next note, and a word no other
/// note holds ([`unique_word`]).
pub fn generate_notes(root: &Path, n: usize) {
    let write = |rel: &str, text: &str| {
        let path = root.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    write("site.toml", "title = \"Large\"\n");
    write("content/_index.md", "---\ntitle: 首页\n---\n\n生成的笔记。\n");
    for s in 0..n.div_ceil(50) {
        write(
            &format!("content/s{s:03}/_index.md"),
            &format!(
                "---\ntitle: 第 {s} 节\nweight: {s}\n---\n\n{}\n",
                ZH[s % ZH.len()]
            ),
        );
    }
    for i in 0..n {
        let zh = |k: usize| ZH[(i * 7 + k * 5) % ZH.len()];
        let en = |k: usize| EN[(i * 3 + k) % EN.len()];
        let next = note_path((i + 1) % n).0;
        let (rel, _) = note_path(i);
        write(
            &format!("content/{rel}"),
            &format!(
                "---\ntitle: 笔记 {i}\nsummary: {}\nweight: {}\n---\n\n## 基本概念\n\n{}{}参见[下一篇](../{next})。{}\n\n\
                 - {}\n- {}\n\n## 计算方法\n\n{} {}\n\n## 常见问题\n\n{}{}\n\n### 小结\n\n{} {} {}\n",
                zh(0),
                i % 50,
                zh(1),
                zh(2),
                en(0),
                zh(3),
                en(1),
                en(2),
                zh(4),
                zh(5),
                zh(6),
                en(3),
                zh(7),
                unique_word(i),
            ),
        );
    }
}
