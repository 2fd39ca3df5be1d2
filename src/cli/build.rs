//! `figmark build`

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use figmark::diagnostics::Severity;

use super::{Format, print_diagnostics};

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the site (relative paths are taken from --root).
    #[arg(long, short, default_value = "public")]
    output: PathBuf,
}

pub fn run(root: &Path, args: Args) -> ExitCode {
    let start = Instant::now();
    let output = root.join(&args.output);
    match figmark::build::build(root, &output) {
        Ok(plan) => {
            print_diagnostics(&plan.warnings, Format::Human);
            println!(
                "built {} pages in {} sections with {} figures in {} ms → {}",
                plan.pages,
                plan.sections,
                plan.figures,
                start.elapsed().as_millis(),
                output.display()
            );
            ExitCode::SUCCESS
        }
        Err(diagnostics) => {
            print_diagnostics(&diagnostics, Format::Human);
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            eprintln!(
                "build failed with {errors} error(s); {} left unchanged",
                output.display()
            );
            ExitCode::FAILURE
        }
    }
}
