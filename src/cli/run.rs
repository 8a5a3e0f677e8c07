//! The command-line driver: each command run, its output written, its exit code chosen.

use super::{CheckArgs, Cli, ColorChoice, Command, OutputFormat, RulesFormat};
use crate::config::{self, ConfigSet, Layer, Overrides};
use crate::engine::{self, Session};
use crate::formats::Format;
use crate::{diagnostic, fix, render, rules, server, workspace};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

/// Prints a line on standard error; a closed or full standard error is no reason to panic.
macro_rules! say {
    ($($arg:tt)*) => {{
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

pub const EXIT_CLEAN: u8 = 0;
pub const EXIT_FINDINGS: u8 = 1;
pub const EXIT_ERROR: u8 = 2;

pub fn run(cli: Cli) -> u8 {
    let result = match cli.command {
        Command::Check(args) => check(&args, false),
        Command::Fix(args) => check(&args, true),
        Command::Explain { rule } => explain(&rule),
        Command::Rules { output_format } => list_rules(output_format),
        Command::Init(args) => super::init::init(&args),
        Command::Server { .. } => server::run().map(|clean| if clean { EXIT_CLEAN } else { 1 }),
        Command::Completions { shell } => super::install_files::completions(shell),
        Command::Manpage { out_dir } => super::install_files::manpage(out_dir.as_deref()),
    };
    match result {
        Ok(code) => code,
        Err(message) => {
            say!("wscfg: error: {message}");
            EXIT_ERROR
        }
    }
}

fn explain(rule: &str) -> Result<u8, String> {
    let meta = rules::find(rule)
        .ok_or_else(|| format!("no rule named `{rule}`; `wscfg rules` lists them"))?;
    let page = rules::page(meta.code).ok_or_else(|| format!("rule {} has no page", meta.code))?;
    emit(page)?;
    Ok(EXIT_CLEAN)
}

/// Writes to standard output. A reader that went away (`wscfg rules | head`) is not an
/// error: the output is simply no longer wanted.
fn emit(text: &str) -> Result<(), String> {
    write_result(std::io::stdout().lock().write_all(text.as_bytes()))
}

/// A write to standard output: a closed pipe (`| head`) is not an error.
fn write_result(result: std::io::Result<()>) -> Result<(), String> {
    match result {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(format!("cannot write output: {e}"))
        }
        _ => Ok(()),
    }
}

fn list_rules(format: RulesFormat) -> Result<u8, String> {
    let all = rules::all();
    match format {
        RulesFormat::Json => {
            let v: Vec<_> = all
                .iter()
                .map(|m| {
                    serde_json::json!({
                        "code": m.code, "name": m.name, "format": m.scope(),
                        "severity": m.severity, "fixable": m.fix.as_str(),
                        "summary": m.summary, "url": rules::rule_url(m.code),
                    })
                })
                .collect();
            emit(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v).expect("serialises")
            ))?;
        }
        RulesFormat::Table => {
            let name_w = all.iter().map(|m| m.name.len()).max().unwrap_or(0);
            let scope_w = all
                .iter()
                .map(|m| m.scope().len())
                .max()
                .unwrap_or(0)
                .max(6);
            let mut out = format!(
                "{:<8} {:<name_w$} {:<scope_w$} {:<8} {:<9} summary\n",
                "code", "name", "format", "severity", "fix"
            );
            for m in &all {
                out.push_str(&format!(
                    "{:<8} {:<name_w$} {:<scope_w$} {:<8} {:<9} {}\n",
                    m.code,
                    m.name,
                    m.scope(),
                    m.severity.as_str(),
                    m.fix.as_str(),
                    m.summary
                ));
            }
            emit(&out)?;
        }
    }
    Ok(EXIT_CLEAN)
}

fn load_configs(args: &CheckArgs) -> Result<ConfigSet, String> {
    let mut overrides = Overrides::default();
    let mut file: Option<&Path> = None;
    for c in &args.config {
        let p = Path::new(c);
        if p.is_file() {
            if let Some(first) = file {
                return Err(format!(
                    "--config names two files ({} and {c}); use `extend` inside one of them",
                    first.display()
                ));
            }
            file = Some(p);
        } else if c.contains('=') {
            overrides.toml.push(c.clone());
        } else {
            return Err(format!(
                "--config {c}: no such file, and not a KEY=VALUE override such as \
                 'nginx.version = \"1.22\"'"
            ));
        }
    }
    overrides.layer = Layer {
        select: (!args.select.is_empty()).then(|| args.select.clone()),
        extend_select: args.extend_select.clone(),
        ignore: args.ignore.clone(),
    };
    if let Some(c) = &args.context {
        overrides.nginx_context = Some(config::parse_context(c)?);
    }
    if let Some(v) = &args.nginx_version {
        overrides.nginx_version =
            Some(config::parse_version(v).ok_or_else(|| format!("bad nginx version `{v}`"))?);
    }
    overrides.limits = Some(workspace::Limits {
        max_file_size: args.max_file_size,
        max_depth: args.max_depth,
        max_includes: args.max_includes,
        allow_include_outside_root: args.allow_include_outside_root,
        follow_symlinks: args.follow_symlinks,
        roots: {
            let named: Vec<&Path> = args
                .paths
                .iter()
                .map(|p| {
                    if p.as_os_str() == "-" {
                        Path::new(".")
                    } else {
                        p.as_path()
                    }
                })
                .collect();
            // Includes may be read anywhere in the projects of the named files, as a check
            // run at the project's root would.
            let projects = workspace::project_roots(named.iter().copied());
            workspace::roots_for(
                named
                    .into_iter()
                    .chain(projects.iter().map(PathBuf::as_path)),
            )
        },
    });
    match file {
        Some(_) if args.isolated => Err("--isolated reads no configuration file".into()),
        Some(f) => ConfigSet::from_file(f, overrides),
        None if args.isolated => ConfigSet::isolated(overrides),
        None => ConfigSet::discovering(overrides),
    }
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
    let configs = load_configs(args)?;
    if !fix && !args.diff {
        // One lint, then the process ends.
        engine::set_one_shot();
    }
    let mut session = Session::with_configs(configs);
    let mut io_errors = Vec::new();
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    if stdin {
        let name = args
            .stdin_filename
            .clone()
            .unwrap_or_else(|| PathBuf::from("-"));
        let format = match &args.stdin_format {
            Some(f) => Format::parse(f)
                .ok_or_else(|| format!("unknown format `{f}` ({})", Format::names()))?,
            None => Format::detect(&name, true)
                .filter(|_| name.as_os_str() != "-")
                .ok_or("reading standard input needs --stdin-format nginx")?,
        };
        let mut text = String::new();
        let max = args.max_file_size;
        std::io::stdin()
            .take(max + 1)
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        if text.len() as u64 > max {
            return Err(format!(
                "standard input is over the {max}-byte limit (--max-file-size)"
            ));
        }
        session.add_text(name, text, format);
    }
    let paths: Vec<PathBuf> = args
        .paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .cloned()
        .collect();
    if !paths.is_empty() {
        let mut walk = workspace::WalkOptions::new(args.no_ignore, &args.exclude)?;
        walk.ignore_unknown = args.ignore_unknown;
        walk.follow_links = args.follow_symlinks;
        walk.max_file_size = Some(args.max_file_size);
        let (found, errors) = workspace::discover_with(&paths, &walk);
        io_errors.extend(errors);
        let (around, over) = workspace::project_files(&paths, &found, &walk, None);
        if over {
            say!(
                "wscfg: warning: the project view reads the first {} files of the project \
                 around the named paths; findings that depend on the others may be missing",
                workspace::MAX_PROJECT_FILES
            );
        }
        session.add_files(found);
        session.add_context_files(around);
    }
    for e in &io_errors {
        say!("wscfg: error: {e}");
    }
    session.resolve_configs()?;

    let color = use_color(args.color);
    let mut out = String::new();
    let mut notes = Vec::new();
    let mut applied = Vec::new();
    let mut changed = false;
    let mut write_errors: Vec<String> = Vec::new();
    if fix && !args.diff {
        let outcome = session.fix(args.unsafe_fixes);
        notes = outcome.notes;
        applied = outcome.applied;
        changed = !outcome.originals.is_empty();
        let mut unwritten = Vec::new();
        for (&file, old) in &outcome.originals {
            let path = session.db.get(file).path.clone();
            let new = &session.db.get(file).text;
            if stdin && path == args.stdin_filename.clone().unwrap_or_else(|| "-".into()) {
                // Fixing standard input writes the fixed text to standard output.
                emit(new)?;
                continue;
            }
            match engine::write_fixed(&path, old, new, args.follow_symlinks) {
                Ok(_) => {
                    if !args.output_format.is_machine_readable() && !args.quiet {
                        out.push_str(&fix::unified_diff(&display(&path), old, new));
                    }
                }
                Err(e) => {
                    write_errors.push(e);
                    unwritten.push(file);
                }
            }
        }
        // Files that were not written are reported as they are on disk.
        for file in unwritten {
            session.db.set_text(file, outcome.originals[&file].clone());
        }
        changed = changed && write_errors.len() < outcome.originals.len();
    }
    let diags = session.lint();
    if let Some(e) = session.configs.errors.first() {
        return Err(e.clone());
    }
    if args.diff && !args.output_format.is_machine_readable() {
        out.push_str(&preview_diff(&mut session, args.unsafe_fixes));
    }
    let rendered = match args.output_format {
        _ if args.statistics => statistics(&diags, args.output_format)?,
        OutputFormat::Json => {
            // The report goes out as it is written: no copy of it is held.
            emit(&std::mem::take(&mut out))?;
            let stdout = std::io::stdout().lock();
            let mut w = std::io::BufWriter::with_capacity(1 << 16, stdout);
            let n = session.targets().count();
            write_result(
                render::json::write(&mut w, &session.db, &diags, n).and_then(|_| w.flush()),
            )?;
            String::new()
        }
        OutputFormat::Human => render::human::render(&session.db, &diags, color),
        OutputFormat::Concise => render::concise::render(&session.db, &diags),
        OutputFormat::Sarif => render::sarif::render(&session.db, &diags),
        OutputFormat::Github => render::github::render(&session.db, &diags),
        OutputFormat::Junit => {
            let files: Vec<_> = session.targets().map(|(f, _)| f).collect();
            render::junit::render(&session.db, &diags, &files)
        }
    };
    if out.is_empty() {
        out = rendered;
    } else {
        out.push_str(&rendered);
    }
    let machine = args.output_format.is_machine_readable();
    if args.show_fixes && !machine {
        out.push_str(&if fix && !args.diff {
            applied_fixes(&session, &applied)
        } else {
            available_fixes(&session, &diags)
        });
    }
    emit(&out)?;
    let checked = session.targets().count();
    // A named file that could not be parsed or read is not "nothing": it has its finding.
    let nothing_read = checked == 0 && diags.is_empty() && !stdin && io_errors.is_empty();
    if nothing_read && !args.ignore_unknown {
        let named: Vec<String> = paths.iter().map(|p| display(p)).collect();
        say!(
            "wscfg: warning: no files wscfg reads under {} ({})",
            named.join(", "),
            Format::names()
        );
    }
    if !args.quiet {
        for n in &notes {
            say!("wscfg: {n}");
        }
        if args.output_format == OutputFormat::Human && !nothing_read {
            let fixed = (fix && !args.diff).then_some(applied.len());
            let errors = io_errors.len() + write_errors.len();
            say!("{}", summary(&diags, checked, fixed, errors));
        }
    }
    for e in &write_errors {
        say!("wscfg: error: {e}");
    }
    let code = if !io_errors.is_empty()
        || !write_errors.is_empty()
        || (nothing_read && !args.ignore_unknown && !args.exit_zero)
    {
        EXIT_ERROR
    } else if (args.exit_non_zero_on_fix && changed)
        || (!args.exit_zero && engine::has_failures(&diags, args.fail_on))
    {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    };
    // The process ends right after this: the operating system takes back the model, the
    // sources and the findings at once, so they are not freed piece by piece (on a
    // configuration of thousands of servers that was a tenth of the run).
    std::mem::forget(diags);
    std::mem::forget(session);
    Ok(code)
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

/// `--statistics`: findings per rule, most frequent first.
fn statistics(diags: &[diagnostic::Diagnostic], format: OutputFormat) -> Result<String, String> {
    let mut counts: Vec<(&str, &str, usize, usize)> = Vec::new();
    for d in diags {
        match counts.iter_mut().find(|c| c.0 == d.code) {
            Some(c) => {
                c.2 += 1;
                c.3 += usize::from(d.fix.is_some());
            }
            None => counts.push((d.code, d.name, 1, usize::from(d.fix.is_some()))),
        }
    }
    counts.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(b.0)));
    match format {
        OutputFormat::Human | OutputFormat::Concise => Ok(counts
            .iter()
            .map(|(code, name, n, fixable)| {
                let mark = if *fixable > 0 { " [*]" } else { "" };
                format!("{n:>5}  {code:<7} {name}{mark}\n")
            })
            .collect()),
        OutputFormat::Json => {
            let v: Vec<_> = counts
                .iter()
                .map(|(code, name, n, fixable)| {
                    serde_json::json!({"code": code, "name": name, "count": n, "fixable": fixable})
                })
                .collect();
            Ok(format!(
                "{}\n",
                serde_json::to_string_pretty(&v).expect("serialises")
            ))
        }
        _ => Err("--statistics works with --output-format human, concise or json".into()),
    }
}

/// `check --show-fixes`: every fix on offer, with whether `wscfg fix` applies it.
fn available_fixes(session: &Session, diags: &[diagnostic::Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let Some(f) = &d.fix else { continue };
        let r = render::range(&session.db, d.file, d.span);
        let how = match f.applicability {
            fix::Applicability::Safe => "wscfg fix",
            fix::Applicability::Unsafe => "wscfg fix --unsafe-fixes",
        };
        out.push_str(&format!(
            "{}:{}:{}: {} fix ({how}): {}\n",
            render::display_path(&session.db, d.file),
            r.start.line,
            r.start.column,
            d.code,
            f.message
        ));
    }
    out
}

/// `fix --show-fixes`: what was applied, per file.
fn applied_fixes(session: &Session, applied: &[engine::AppliedFix]) -> String {
    if applied.is_empty() {
        return "No fixes applied.\n".into();
    }
    let mut out = format!("Applied {} fix(es):\n", applied.len());
    let mut files: Vec<_> = applied.iter().map(|a| a.file).collect();
    files.sort_by_key(|f| session.db.get(*f).path.clone());
    files.dedup();
    for f in files {
        out.push_str(&format!("  {}:\n", render::display_path(&session.db, f)));
        for a in applied.iter().filter(|a| a.file == f) {
            out.push_str(&format!("    {} ({}): {}\n", a.code, a.name, a.message));
        }
    }
    out
}

fn display(path: &Path) -> String {
    path.display().to_string()
}

/// The last line of human output: files checked, problems found, and what fixing did or
/// would do. `fixed`: how many findings `fix` fixed (None for `check`); `errors`: paths that
/// could not be read or written (never followed by "no problems found").
fn summary(
    diags: &[diagnostic::Diagnostic],
    files: usize,
    fixed: Option<usize>,
    errors: usize,
) -> String {
    let with = |a: fix::Applicability| {
        diags
            .iter()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.applicability == a))
            .count()
    };
    let (safe, unsafe_) = (
        with(fix::Applicability::Safe),
        with(fix::Applicability::Unsafe),
    );
    let errors = match errors {
        0 => String::new(),
        1 => "; 1 error (see above)".to_owned(),
        n => format!("; {n} errors (see above)"),
    };
    let unsafe_more = |u: usize| format!("{u} more fixable with --unsafe-fixes");
    let checked = format!("wscfg: {files} file(s) checked");
    match (fixed, diags.len()) {
        (Some(0) | None, 0) if errors.is_empty() => format!("{checked}, no problems found"),
        (Some(0) | None, 0) => format!("{checked}{errors}"),
        (Some(f), left) => {
            let more = match unsafe_ {
                0 => String::new(),
                u => format!("; {}", unsafe_more(u)),
            };
            format!(
                "{checked}, found {} problem(s) ({f} fixed, {left} remaining{more}){errors}",
                f + left
            )
        }
        (None, n) => {
            let fixes = match (safe, unsafe_) {
                (0, 0) => String::new(),
                (s, 0) => format!(" ({s} fixable with `wscfg fix`)"),
                (0, u) => format!(" ({u} fixable with `wscfg fix --unsafe-fixes`)"),
                (s, u) => format!(" ({s} fixable with `wscfg fix`; {})", unsafe_more(u)),
            };
            format!("{checked}, {n} problem(s) found{fixes}{errors}")
        }
    }
}
