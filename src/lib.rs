//! figmark: a static site generator for cross-linked markdown notes with figures drawn at
//! build time. The modules follow the pipeline: [`content`] loads, [`markdown`] renders (with
//! [`figures`]), [`links`] checks cross-links, [`search`] indexes the text, [`templates`] lays
//! out pages, [`output`] writes; [`build`] runs the stages in order.

pub mod build;
pub mod config;
pub mod content;
pub mod diagnostics;
pub use figmark_figures as figures;
pub mod history;
pub mod links;
pub mod markdown;
pub mod output;
pub mod print;
pub mod search;
pub mod serve;
pub mod templates;
pub mod urls;
