//! `figmark check`: every validation of a build, writing nothing. Exit 0 when clean, 1 when not,
//! lenient or not: a lenient site is made despite its problems, and `check` still names them.

use std::path::Path;
use std::process::ExitCode;

use super::{Format, print_diagnostics};

#[derive(clap::Args)]
pub struct Args {
    /// `github` prints GitHub Actions annotations.
    #[arg(long, value_enum, default_value_t)]
    format: Format,
}

pub fn run(root: &Path, args: Args) -> ExitCode {
    match figmark::build::check(root) {
        Ok(summary) => {
            print_diagnostics(&summary.warnings, args.format);
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics, args.format);
            ExitCode::FAILURE
        }
    }
}
