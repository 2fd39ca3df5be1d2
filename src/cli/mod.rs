//! Command-line interface: one file per subcommand.

mod build;
mod check;
mod init;
mod serve;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use figmark::diagnostics::Diagnostic;

#[derive(Parser)]
#[command(
    name = "figmark",
    version,
    about = "Build a cross-linked site with figures from markdown notes"
)]
pub struct Cli {
    /// The site's folder: holds site.toml (optional), the notes (content/, docs/ or the folder
    /// itself), templates/ and static/.
    #[arg(long, global = true, default_value = ".")]
    root: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder.
    Build(build::Args),
    /// Run every check (front matter, links, anchors, figures, math) without writing anything.
    Check(check::Args),
    /// Build, serve on 127.0.0.1, rebuild on every change and reload open pages.
    Serve(serve::Args),
    /// Start a new site in DIR: settings, a first note and a GitHub Pages workflow.
    Init(init::Args),
}

/// How diagnostics are printed.
#[derive(Clone, Copy, Default, ValueEnum)]
pub enum Format {
    /// `error: file:line:col: message`, for people.
    #[default]
    Human,
    /// GitHub Actions annotations, so a pull request shows each problem on its line.
    Github,
}

impl Cli {
    pub fn run(self) -> ExitCode {
        match self.command {
            Command::Build(args) => build::run(&self.root, args),
            Command::Check(args) => check::run(&self.root, args),
            Command::Serve(args) => serve::run(&self.root, args),
            Command::Init(args) => init::run(args),
        }
    }
}

pub fn print_diagnostics(diagnostics: &[Diagnostic], format: Format) {
    for d in diagnostics {
        match format {
            Format::Human => eprintln!("{d}"),
            Format::Github => println!("{}", d.github()),
        }
    }
}
