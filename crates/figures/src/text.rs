//! The words of a figure in the page's language: legend labels, axis titles and labels drawn
//! in it, and the description that is its accessible name, `<title>` and `<desc>`.
//!
//! The caller says which language ([`Lang`]); the figures still know nothing of pages or sites.
//! The words are data, one table per language (`text/en.yaml`, `text/zh-CN.yaml`), compiled in.
//! The crate keeps its own table rather than the site's interface strings because these are
//! sentences with slots that only the figure can fill, and a site has no reason to override
//! them one by one. Each table is read into [`Text`], a struct with one field per key: code
//! that names a key the struct lacks does not compile, and a test parses both tables, so a key
//! missing from either (or one misspelled) fails the tests, never a build.
//!
//! Names of methods that read the same in both languages (Adam, BatchNorm, PixelShuffle) and
//! mathematical notation stay in the code.

use std::fmt::{Display, Write as _};
use std::sync::LazyLock;

use serde::Deserialize;

/// The language a figure speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    En,
    ZhCn,
}

impl Lang {
    /// Chinese for a language code starting with `zh` (any case), else English: the rule the
    /// site's interface strings follow.
    pub fn of(code: &str) -> Lang {
        if code.to_ascii_lowercase().starts_with("zh") {
            Lang::ZhCn
        } else {
            Lang::En
        }
    }

    pub(crate) fn text(self) -> &'static Text {
        static EN: LazyLock<Text> = LazyLock::new(|| parse(include_str!("../text/en.yaml")));
        static ZH_CN: LazyLock<Text> = LazyLock::new(|| parse(include_str!("../text/zh-CN.yaml")));
        match self {
            Lang::En => &EN,
            Lang::ZhCn => &ZH_CN,
        }
    }
}

/// The shipped tables are compiled in and a test parses both: no spec can make this fail.
fn parse(yaml: &str) -> Text {
    serde_saphyr::from_str(yaml).expect("the shipped figure text tables parse")
}

/// One language's words; the keys are documented by the English table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Text {
    pub comma: String,
    pub semicolon: String,
    pub log_scale: String,
    pub function_description: String,
    pub function_derivative: String,
    pub conv_standard: String,
    pub conv_depthwise: String,
    pub conv_bottleneck: String,
    pub conv_bottleneck_swept: String,
    pub conv_group: String,
    pub conv_group_swept: String,
    pub conv_flops: String,
    pub conv_params: String,
    pub conv_description: String,
    pub conv_sweep: String,
    pub conv_ratio: String,
    pub optimizer_gd: String,
    pub optimizer_momentum: String,
    pub optimizer_nesterov: String,
    pub optimizer_description: String,
    pub optimizer_adaptive: String,
    pub optimizer_end: String,
    pub optimizer_diverged: String,
    pub receptive_field_axis: String,
    pub receptive_field_description: String,
    pub grid_max_pool: String,
    pub grid_avg_pool: String,
    pub grid_nearest: String,
    pub grid_bilinear: String,
    pub grid_transposed: String,
    pub grid_input: String,
    pub grid_output: String,
    pub grid_description: String,
    pub grid_inputs: String,
    pub grid_inputs_one: String,
    pub grid_outputs: String,
    pub grid_outputs_one: String,
    pub grid_values: String,
    pub norm_description: String,
    pub norm_panel: String,
    pub norm_over: String,
    pub norm_count: String,
    pub norm_cell: String,
    pub init_layer: String,
    pub init_std: String,
    pub init_description: String,
    pub line_description: String,
    pub line_series: String,
    pub line_against: String,
    pub bar_description: String,
    pub map_notes_description: String,
    pub map_notes_caption: String,
    pub map_sections_description: String,
    pub map_sections_shown: String,
    pub map_sections_rest: String,
    pub map_sections_caption: String,
    pub map_sections_caption_shown: String,
    pub map_key: String,
}

/// `template` with each `{name}` replaced by its value, in one pass: a value that itself holds
/// `{…}` (a user's label) is left as it is.
pub(crate) fn fill(template: &str, args: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let slot = rest[open + 1..].find('}').and_then(|close| {
            let name = &rest[open + 1..open + 1 + close];
            args.iter().find(|(n, _)| *n == name).map(|(_, v)| (v, close))
        });
        match slot {
            Some((value, close)) => {
                let _ = write!(out, "{value}");
                rest = &rest[open + close + 2..];
            }
            None => {
                out.push('{');
                rest = &rest[open + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tables_parse_and_fill_every_slot_they_name() {
        for lang in [Lang::En, Lang::ZhCn] {
            let t = lang.text();
            assert!(!t.comma.is_empty() && !t.map_key.is_empty());
        }
        assert_eq!(
            fill(&Lang::ZhCn.text().norm_count, &[("count", &4)]),
            "4 个统计量"
        );
        assert_eq!(
            fill("{a} and {b} {c}", &[("a", &"{b}"), ("b", &1)]),
            "{b} and 1 {c}"
        );
    }

    #[test]
    fn zh_codes_pick_chinese_and_the_rest_english() {
        assert_eq!(Lang::of("zh-CN"), Lang::ZhCn);
        assert_eq!(Lang::of("ZH-tw"), Lang::ZhCn);
        assert_eq!(Lang::of("en"), Lang::En);
        assert_eq!(Lang::of("de"), Lang::En);
    }
}
