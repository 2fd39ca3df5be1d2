//! figmark: a static site generator for cross-linked markdown notes with figures drawn at
//! build time. The modules follow the pipeline: [`content`] loads, [`markdown`] renders (with
//! [`figures`]), [`links`] checks cross-links, [`layout`] lays out pages from their [`views`]
//! with the [`templates`] and the interface [`strings`], [`search`] indexes the text, [`output`]
//! writes; [`build`] runs the stages in order, and [`memo`] alone decides what a rebuild reuses.
//! The binary and the tests see only what they use: the build, the memo, the server,
//! diagnostics, and the load and render stages.

pub mod build;
mod config;
pub mod content;
pub mod diagnostics;
pub use figmark_figures as figures;
mod history;
pub mod init;
mod layout;
mod limits;
mod links;
pub mod markdown;
pub mod memo;
mod output;
mod print;
mod search;
pub mod serve;
mod stable;
mod strings;
mod templates;
mod urls;
mod views;
