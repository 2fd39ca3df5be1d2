//! The `figmark` command: parses arguments and hands over to one file per subcommand.

mod cli;

use std::process::ExitCode;

use clap::Parser;

/// Builds allocate and free millions of small strings, from several threads at once; glibc's
/// allocator spends a large part of a rebuild in `free`, consolidation and page faults.
/// The `system-alloc` feature keeps glibc's, which heap profilers such as heaptrack can follow.
#[cfg(not(feature = "system-alloc"))]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::Cli::parse().run()
}
