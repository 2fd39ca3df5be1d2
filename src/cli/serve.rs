//! `figmark serve`: builds, serves on a local address, rebuilds on changes and reloads the pages.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::ExitCode;

use figmark::serve::{Options, Report, Server};

use super::{Format, print_diagnostics};

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// The address to listen on; the default answers this machine only.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// A host name requests may use besides localhost and IP addresses (repeatable); others are
    /// refused, so that no other website can reach the server through DNS rebinding.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_hosts: Vec<String>,
}

pub fn run(root: &Path, args: Args) -> ExitCode {
    let report = |report: Report| match report {
        Report::Built { summary, elapsed } => {
            print_diagnostics(&summary.warnings, Format::Human);
            eprintln!(
                "built in {} ms: {} of {} pages rendered, {} laid out",
                elapsed.as_millis(),
                summary.rendered_pages,
                summary.pages,
                summary.laid_out
            );
            let stages: Vec<String> = summary
                .stages
                .iter()
                .map(|(name, took)| format!("{name} {:.1}", took.as_secs_f64() * 1000.0))
                .collect();
            eprintln!("  stages (ms): {}", stages.join(", "));
        }
        Report::Failed { diagnostics } => {
            print_diagnostics(diagnostics, Format::Human);
            eprintln!("build failed; still serving the last good site");
        }
    };
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}, not loopback: other machines that can reach this one can read the site, drafts included",
            args.bind
        );
    }
    let options = Options {
        allowed_hosts: args.allow_hosts,
        ..Options::new(SocketAddr::new(args.bind, args.port))
    };
    match Server::start_with(root, options, report) {
        Ok(server) => {
            eprintln!(
                "serving http://{}/ ; watching content/, templates/, static/ and site.toml (Ctrl-C stops)",
                server.addr()
            );
            server.wait();
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot serve on {}:{}: {e}", args.bind, args.port);
            ExitCode::FAILURE
        }
    }
}
