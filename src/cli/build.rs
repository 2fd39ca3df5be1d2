//! `figmark build`

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use figmark::build::Lenient;
use figmark::diagnostics::Severity;

use super::{Format, print_diagnostics};

#[derive(clap::Args)]
pub struct Args {
    /// Where to write the site (relative paths are taken from --root).
    #[arg(long, short, default_value = "public")]
    output: PathBuf,
    /// Turn every problem into a warning and write the site anyway (as `lenient = true` in
    /// site.toml does); `figmark check` still reports them as errors.
    #[arg(long)]
    lenient: bool,
}

pub fn run(root: &Path, args: Args) -> ExitCode {
    let start = Instant::now();
    let output = root.join(&args.output);
    let lenient = if args.lenient {
        Lenient::Yes
    } else {
        Lenient::AsConfigured
    };
    match figmark::build::build_with(root, &output, lenient) {
        Ok(summary) => {
            print_diagnostics(&summary.warnings, Format::Human);
            println!(
                "built {} pages in {} sections with {} figures in {} ms → {}",
                summary.pages,
                summary.sections,
                summary.figures,
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
