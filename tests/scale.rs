//! A page's size must not grow with the number of pages in the site (mdBook's 14 MB pages came
//! from a sidebar listing every page on every page).

use std::path::Path;

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A site of `n` notes in sections of `section_size`; each note links to three others of its
/// section and to the first note of the next section (the last to the first section).
fn generate(root: &Path, n: usize, section_size: usize) {
    let sections = n.div_ceil(section_size);
    write(&root.join("site.toml"), "title = \"Scale\"\n");
    write(
        &root.join("content/_index.md"),
        "---\ntitle: 首页\n---\n\n生成的笔记。\n",
    );
    for s in 0..sections {
        write(
            &root.join(format!("content/s{s:03}/_index.md")),
            &format!("---\ntitle: 第 {s} 节\nweight: {s}\n---\n"),
        );
    }
    for i in 0..n {
        let (s, k) = (i / section_size, i % section_size);
        let size = section_size.min(n - s * section_size);
        let mut links: String = (1..=3)
            .map(|d| format!("[笔记 {d}](n{:03}.md) ", (k + d) % size))
            .collect();
        links += &format!("[下一节](../s{:03}/n000.md)", (s + 1) % sections);
        write(
            &root.join(format!("content/s{s:03}/n{k:03}.md")),
            &format!(
                "---\ntitle: 笔记 {i}\nsummary: 第 {i} 篇。\ntags: [t{}]\nweight: {k}\n---\n\n## 正文\n\n正文，见 {links}。\n",
                i % 5
            ),
        );
    }
}

fn page_size(n: usize, section_size: usize, page: &str) -> usize {
    html(n, section_size, page).len()
}

/// The HTML of `page` in a site made by [`generate`].
fn html(n: usize, section_size: usize, page: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    generate(dir.path(), n, section_size);
    let out = dir.path().join("public");
    if let Err(diagnostics) = figmark::build::build(dir.path(), &out) {
        panic!("{diagnostics:?}");
    }
    let html = std::fs::read_to_string(out.join(page)).unwrap();
    assert!(
        !html.contains("__figmark"),
        "live reload leaked into the build: {page}"
    );
    html
}

#[test]
fn page_size_does_not_grow_with_the_site() {
    for page in ["s000/n003.html", "s000/index.html"] {
        let small = page_size(50, 25, page);
        let large = page_size(500, 25, page);
        // 18 more sections in the list of sections, about 70 bytes each. A sidebar listing every
        // page would add 450 entries, over 30 KB.
        assert!(
            large < small + 2_000,
            "{page}: {small} bytes with 50 notes, {large} with 500"
        );
    }
}

#[test]
fn page_size_does_not_grow_with_the_number_of_sections() {
    for page in ["s000/n001.html", "s005/n001.html", "s009/index.html"] {
        let few = page_size(40, 2, page);
        let many = page_size(400, 2, page);
        // 20 sections against 200: the sidebar shows 17 sections around the open one and a link
        // to the rest (listing all 200 would add over 12 KB).
        assert!(
            many < few + 100,
            "{page}: {few} bytes with 20 sections, {many} with 200"
        );
    }
}

#[test]
fn home_page_size_does_not_grow_with_the_site() {
    // 20 sections against 80: the home page lists every top-level section, and its link map
    // shows sections rather than notes, at most 30 of them.
    let small = html(500, 25, "index.html");
    let large = html(2_000, 25, "index.html");
    assert!(large.contains("只画出与其他章节链接最多的 30 个章节（共 80 个）"));
    // 60 more sections listed, about 50 bytes each, and 10 more in the map with their label
    // and chord, about 500 bytes each. Drawing every note would add 1,500 dots and 6,000
    // chords, over 1 MB.
    assert!(
        large.len() < small.len() + 10_000,
        "index.html: {} bytes with 500 notes, {} with 2,000",
        small.len(),
        large.len()
    );
}
