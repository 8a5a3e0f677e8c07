//! wscfg: finds, explains and fixes deployment configuration that breaks WebSockets.
//!
//! Data flows one way: discover → detect format → parse into a located model → rules →
//! renderers or the fix engine.

pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod engine;
pub mod fix;
pub mod formats;
pub mod render;
pub mod rules;
pub mod server;
pub mod source;
pub mod workspace;

use cli::{CheckArgs, Cli, ColorChoice, Command, OutputFormat, RulesFormat};
use config::Config;
use engine::Session;
use formats::Format;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Check(args) => check(&args, false),
        Command::Fix(args) => check(&args, true),
        Command::Explain { rule } => explain(&rule),
        Command::Rules { output_format } => list_rules(output_format),
        Command::Server { .. } => server::run().map(|clean| if clean { EXIT_CLEAN } else { 1 }),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            eprintln!("wscfg: error: {message}");
            EXIT_ERROR
        }
    }
}

fn explain(rule: &str) -> Result<u8, String> {
    let meta = rules::find(rule)
        .ok_or_else(|| format!("no rule named `{rule}`; `wscfg rules` lists them"))?;
    let page = rules::page(meta.code).ok_or_else(|| format!("rule {} has no page", meta.code))?;
    print!("{page}");
    Ok(EXIT_CLEAN)
}

fn list_rules(format: RulesFormat) -> Result<u8, String> {
    let all = rules::all();
    match format {
        RulesFormat::Json => {
            let v: Vec<_> = all
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "code": m.code, "name": m.name, "format": m.format,
                        "severity": m.severity, "fixable": m.fix.as_str(),
                        "summary": m.summary, "url": rules::rule_url(m.code),
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&v).expect("serialises"));
        }
        RulesFormat::Table => {
            println!(
                "{:<8} {:<34} {:<7} {:<8} {:<9} summary",
                "code", "name", "format", "severity", "fix"
            );
            for m in all {
                println!(
                    "{:<8} {:<34} {:<7} {:<8} {:<9} {}",
                    m.code,
                    m.name,
                    m.format.as_str(),
                    m.severity.as_str(),
                    m.fix.as_str(),
                    m.summary
                );
            }
        }
    }
    Ok(EXIT_CLEAN)
}

fn load_config(args: &CheckArgs) -> Result<Config, String> {
    let mut config = match &args.config {
        Some(path) => Config::load(path)?,
        None => {
            let start = args
                .paths
                .iter()
                .find(|p| p.as_os_str() != "-")
                .cloned()
                .unwrap_or_else(|| PathBuf::from("."));
            Config::discover(&start)?.unwrap_or_default()
        }
    };
    for name in args.select.iter().chain(&args.ignore) {
        if rules::find(name).is_none() {
            return Err(format!("unknown rule `{name}`; `wscfg rules` lists them"));
        }
    }
    config.add_select(&args.select);
    config.add_ignore(&args.ignore);
    if let Some(c) = &args.context {
        config.nginx.context = Some(config::parse_context(c)?);
    }
    if let Some(v) = &args.nginx_version {
        config.nginx.version =
            Some(config::parse_version(v).ok_or_else(|| format!("bad nginx version `{v}`"))?);
    }
    Ok(config)
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    }
}

fn check(args: &CheckArgs, fix: bool) -> Result<u8, String> {
    let config = load_config(args)?;
    let mut session = Session::new(config);
    let mut io_errors = Vec::new();
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin {
        let name = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        let format = match &args.stdin_format {
            Some(f) => Format::parse(f).ok_or_else(|| format!("unknown format `{f}` (nginx)"))?,
            None => Format::detect(&name, true)
                .filter(|_| name.as_os_str() != "-")
                .ok_or("reading standard input needs --stdin-format nginx")?,
        };
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        session.add_text(name, text, format);
    }
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    if !paths.is_empty() {
        let (found, errors) = workspace::discover(&paths);
        io_errors.extend(errors);
        for f in found {
            session.add_file(f.path, f.format);
        }
    }
    for e in &io_errors {
        eprintln!("wscfg: error: {e}");
    }

    let color = use_color(args.color);
    let mut out = String::new();
    let mut notes = Vec::new();
    if fix && !args.diff {
        let outcome = session.fix(args.unsafe_fixes);
        notes = outcome.notes;
        for (&file, old) in &outcome.originals {
            let path = session.db.get(file).path.clone();
            let new = &session.db.get(file).text;
            if stdin && path == args.stdin_filename.clone().unwrap_or_else(|| "-".into()) {
                // Fixing standard input writes the fixed text to standard output.
                print!("{new}");
                continue;
            }
            engine::write_atomic(&path, new)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            if args.output_format != OutputFormat::Json {
                out.push_str(&fix::unified_diff(&display(&path), old, new));
            }
        }
    }
    let diags = session.lint();
    if args.diff {
        out.push_str(&preview_diff(&mut session, args.unsafe_fixes));
    }
    out.push_str(&match args.output_format {
        OutputFormat::Human => render::human::render(&session.db, &diags, color),
        OutputFormat::Concise => render::concise::render(&session.db, &diags),
        OutputFormat::Json => render::json::render(&session.db, &diags, session.checked.len()),
    });
    std::io::stdout()
        .write_all(out.as_bytes())
        .map_err(|e| format!("cannot write output: {e}"))?;
    for n in &notes {
        eprintln!("wscfg: {n}");
    }
    if args.output_format == OutputFormat::Human {
        eprintln!("{}", summary(&diags, session.checked.len()));
    }
    Ok(if !io_errors.is_empty() {
        EXIT_ERROR
    } else if !args.exit_zero && engine::has_failures(&diags, args.fail_on) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    })
}

/// The diff every available fix would make, computed on a copy; nothing is written.
fn preview_diff(session: &mut Session, allow_unsafe: bool) -> String {
    let outcome = session.fix(allow_unsafe);
    let mut out = String::new();
    for (&file, old) in &outcome.originals {
        let f = session.db.get(file);
        out.push_str(&fix::unified_diff(&display(&f.path), old, &f.text));
    }
    for (file, old) in outcome.originals {
        session.db.set_text(file, old);
    }
    out
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

fn summary(diags: &[diagnostic::Diagnostic], files: usize) -> String {
    let fixable = diags.iter().filter(|d| d.fix.is_some()).count();
    match diags.len() {
        0 => format!("wscfg: {files} file(s) checked, no problems found"),
        n => format!(
            "wscfg: {files} file(s) checked, {n} problem(s) found ({fixable} fixable with `wscfg fix`{})",
            if diags.iter().any(|d| d
                .fix
                .as_ref()
                .is_some_and(|f| f.applicability == fix::Applicability::Unsafe))
            {
                ", some with --unsafe-fixes"
            } else {
                ""
            }
        ),
    }
}
