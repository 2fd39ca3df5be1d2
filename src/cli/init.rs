//! `figmark init [DIR]`: a new site that builds at once.

use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Where to make the site (made if missing); nothing in it is overwritten.
    #[arg(default_value = ".")]
    dir: PathBuf,
}

pub fn run(args: Args) -> ExitCode {
    match figmark::init::init(&args.dir) {
        Ok(paths) => {
            for path in paths {
                println!("wrote {}", path.display());
            }
            println!(
                "next: `figmark serve --root {0}` to write notes with live reload, `figmark build --root {0}` for the site",
                args.dir.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
