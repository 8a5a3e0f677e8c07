//! The analysis thread: everything that reads the disk or runs the engine happens here, never
//! on the thread that reads the client's messages.
//!
//! Edits are debounced: each new snapshot replaces the pending one and restarts the wait, so
//! a burst of keystrokes is analysed once, at its latest version. A result whose snapshot is
//! no longer the newest is not published. Requests (code actions, hover) are answered from the
//! snapshot they were asked about; the last analysis is reused when it is of that snapshot.

use super::analysis::{self, Analysis, Env, Snapshot};
use lsp_server::{Message, Notification, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, Hover, HoverContents,
    HoverParams, MarkupContent, MarkupKind, PublishDiagnosticsParams, Range, Url, WorkspaceEdit,
};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant, SystemTime};

/// The code action kind of "fix all safe problems in this file".
pub const FIX_ALL_KIND: &str = "source.fixAll.wscfg";

pub enum Job {
    /// Analyse `snapshot` once `delay` has passed without a newer one.
    Analyse {
        snapshot: Arc<Snapshot>,
        delay: Duration,
    },
    CodeAction {
        id: RequestId,
        params: CodeActionParams,
        snapshot: Arc<Snapshot>,
    },
    Hover {
        id: RequestId,
        params: HoverParams,
        snapshot: Arc<Snapshot>,
    },
    /// Fill in the edit of a "fix all" action returned without one.
    Resolve {
        id: RequestId,
        action: CodeAction,
        snapshot: Arc<Snapshot>,
    },
}

pub struct Worker {
    pub env: Env,
    pub sender: crossbeam_channel::Sender<Message>,
    /// The newest generation the main loop has seen.
    pub latest: Arc<AtomicU64>,
    /// Check the configuration files' modification times this often (for clients that
    /// cannot watch files for the server).
    pub poll: Option<Duration>,
}

/// The state of every configuration file an open document could use.
type Fingerprint = Vec<(PathBuf, Option<(SystemTime, u64)>)>;

impl Worker {
    pub fn run(self, jobs: Receiver<Job>) {
        let mut state = State {
            worker: self,
            cache: None,
            fix_all_cache: None,
            published: HashMap::new(),
            shown_errors: HashSet::new(),
            fingerprint: None,
        };
        let mut pending: Option<(Arc<Snapshot>, Instant)> = None;
        let mut current = Arc::new(Snapshot::default());
        let mut next_poll = Instant::now();
        loop {
            let now = Instant::now();
            let mut wait = Duration::from_secs(3600);
            if let Some((_, due)) = &pending {
                wait = due.saturating_duration_since(now);
            }
            if state.worker.poll.is_some() {
                wait = wait.min(next_poll.saturating_duration_since(now));
            }
            match jobs.recv_timeout(wait) {
                Ok(Job::Analyse { snapshot, delay }) => {
                    current = snapshot.clone();
                    pending = Some((snapshot, Instant::now() + delay));
                }
                Ok(Job::CodeAction {
                    id,
                    params,
                    snapshot,
                }) => {
                    let result = state
                        .analysis(&snapshot)
                        .map(|a| state.code_actions(&a, &snapshot, params));
                    state.respond(id, result);
                    state.publish_if_pending(&mut pending, &snapshot);
                }
                Ok(Job::Hover {
                    id,
                    params,
                    snapshot,
                }) => {
                    let result = state
                        .analysis(&snapshot)
                        .map(|a| hover(&a, &snapshot, &state.worker.env, params));
                    state.respond(id, result);
                    state.publish_if_pending(&mut pending, &snapshot);
                }
                Ok(Job::Resolve {
                    id,
                    mut action,
                    snapshot,
                }) => {
                    let uri = action
                        .data
                        .as_ref()
                        .and_then(|d| d.get("uri"))
                        .and_then(|u| u.as_str())
                        .and_then(|u| Url::parse(u).ok());
                    if let Some(uri) = uri
                        && action.edit.is_none()
                    {
                        action.edit = state.fix_all(&snapshot, &uri);
                    }
                    state.respond(id, Some(action));
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            let now = Instant::now();
            if let Some((snapshot, _)) = pending.take_if(|(_, due)| *due <= now) {
                state.analyse_and_publish(&snapshot);
            }
            if let Some(every) = state.worker.poll
                && now >= next_poll
            {
                next_poll = now + every;
                // Compared with what the last analysis of the current snapshot saw: a
                // configuration file appeared, changed or went away since.
                if let Some((generation, seen)) = &state.fingerprint
                    && *generation == current.generation
                    && *seen != fingerprint(&current, &state.worker.env)
                {
                    state.cache = None;
                    pending = Some((current.clone(), now));
                }
            }
        }
    }
}

struct State {
    worker: Worker,
    cache: Option<Arc<Analysis>>,
    /// The last "fix all" edit computed, by generation and document.
    fix_all_cache: Option<(u64, Url, Option<WorkspaceEdit>)>,
    /// What each file's diagnostics were when last published.
    published: HashMap<Url, Vec<lsp_types::Diagnostic>>,
    shown_errors: HashSet<String>,
    /// The configuration files as the last analysis found them, with its generation.
    fingerprint: Option<(u64, Fingerprint)>,
}

impl State {
    /// The analysis of `snapshot`, from the cache when it is of that snapshot. `None` if the
    /// engine panicked (reported on standard error; the server keeps running).
    fn analysis(&mut self, snapshot: &Snapshot) -> Option<Arc<Analysis>> {
        if let Some(a) = &self.cache
            && a.generation == snapshot.generation
        {
            return Some(a.clone());
        }
        let env = &self.worker.env;
        if self.worker.poll.is_some() {
            // Taken before the configuration is read, so a change during the analysis is
            // seen at the next poll.
            self.fingerprint = Some((snapshot.generation, fingerprint(snapshot, env)));
        }
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            analysis::analyse(snapshot, env)
        }));
        match result {
            Ok(a) => {
                let a = Arc::new(a);
                self.cache = Some(a.clone());
                Some(a)
            }
            Err(_) => {
                eprintln!("wscfg server: analysis failed (a bug; please report it)");
                None
            }
        }
    }

    fn analyse_and_publish(&mut self, snapshot: &Snapshot) {
        if let Some(a) = self.analysis(snapshot) {
            self.publish(&a, snapshot);
        }
    }

    /// A request computed the analysis of the snapshot that was waiting for its debounce:
    /// publish it now instead of computing it again later.
    fn publish_if_pending(
        &mut self,
        pending: &mut Option<(Arc<Snapshot>, Instant)>,
        asked: &Snapshot,
    ) {
        if pending
            .as_ref()
            .is_some_and(|(p, _)| p.generation == asked.generation)
            && let Some((snapshot, _)) = pending.take()
        {
            self.analyse_and_publish(&snapshot);
        }
    }

    fn publish(&mut self, a: &Analysis, snapshot: &Snapshot) {
        // Latest version wins: a newer snapshot is already on its way.
        if self.worker.latest.load(Ordering::SeqCst) != snapshot.generation {
            return;
        }
        for (uri, findings) in &a.files {
            let diagnostics: Vec<_> = findings.iter().map(|f| f.diagnostic.clone()).collect();
            let open = snapshot.docs.get(uri);
            // Open documents always get their list (with the version it describes); other
            // files only when their list changed.
            if open.is_none() && self.published.get(uri) == Some(&diagnostics) {
                continue;
            }
            self.notify(PublishDiagnosticsParams {
                uri: uri.clone(),
                diagnostics: diagnostics.clone(),
                version: open.map(|d| d.version),
            });
            self.published.insert(uri.clone(), diagnostics);
        }
        let gone: Vec<Url> = self
            .published
            .keys()
            .filter(|u| !a.files.contains_key(*u))
            .cloned()
            .collect();
        for uri in gone {
            if self.published.remove(&uri).is_some_and(|d| !d.is_empty()) {
                self.notify(PublishDiagnosticsParams {
                    uri,
                    diagnostics: Vec::new(),
                    version: None,
                });
            }
        }
        for e in &a.config_errors {
            if self.shown_errors.insert(e.clone()) {
                let params = lsp_types::ShowMessageParams {
                    typ: lsp_types::MessageType::WARNING,
                    message: format!("wscfg: {e} (using the default settings)"),
                };
                let _ = self
                    .worker
                    .sender
                    .send(Message::Notification(Notification::new(
                        lsp_types::notification::ShowMessage::METHOD.to_owned(),
                        params,
                    )));
            }
        }
    }

    /// The "fix all" edit for `uri` in `snapshot` (`None` when nothing changes); repeated
    /// requests between two edits reuse it.
    fn fix_all(&mut self, snapshot: &Snapshot, uri: &Url) -> Option<WorkspaceEdit> {
        if let Some((generation, u, edit)) = &self.fix_all_cache
            && *generation == snapshot.generation
            && u == uri
        {
            return edit.clone();
        }
        let env = &self.worker.env;
        let edit = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            analysis::fix_all(snapshot, env, uri)
        }))
        .unwrap_or_else(|_| {
            eprintln!("wscfg server: fix all failed (a bug; please report it)");
            None
        });
        self.fix_all_cache = Some((snapshot.generation, uri.clone(), edit.clone()));
        edit
    }

    fn code_actions(
        &mut self,
        a: &Analysis,
        snapshot: &Snapshot,
        params: CodeActionParams,
    ) -> Vec<CodeActionOrCommand> {
        let uri = &params.text_document.uri;
        let only = params.context.only.as_ref();
        let findings = a.files.get(uri).map(Vec::as_slice).unwrap_or(&[]);
        let mut actions: Vec<CodeAction> = Vec::new();
        if kind_wanted(only, CodeActionKind::QUICKFIX.as_str()) {
            for f in findings {
                let Some(fix) = &f.fix else { continue };
                if !touches(&f.diagnostic.range, &params.range) {
                    continue;
                }
                actions.push(CodeAction {
                    title: fix.title.clone(),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![f.diagnostic.clone()]),
                    edit: Some(fix.edit.clone()),
                    is_preferred: Some(fix.safe),
                    ..CodeAction::default()
                });
            }
            // Safe fixes first.
            actions.sort_by_key(|c| c.is_preferred != Some(true));
        }
        let any_safe = findings
            .iter()
            .any(|f| f.fix.as_ref().is_some_and(|x| x.safe));
        if any_safe && kind_wanted(only, FIX_ALL_KIND) {
            let title = "Fix all safe wscfg problems in this file".to_owned();
            let kind = Some(CodeActionKind::from(FIX_ALL_KIND));
            if self.worker.env.resolve_edits {
                // Computed on `codeAction/resolve`, when the user picks it.
                actions.push(CodeAction {
                    title,
                    kind,
                    data: Some(serde_json::json!({ "uri": uri })),
                    ..CodeAction::default()
                });
            } else if let Some(edit) = self.fix_all(snapshot, uri) {
                actions.push(CodeAction {
                    title,
                    kind,
                    edit: Some(edit),
                    ..CodeAction::default()
                });
            }
        }
        actions
            .into_iter()
            .map(CodeActionOrCommand::CodeAction)
            .collect()
    }

    fn notify(&self, params: PublishDiagnosticsParams) {
        let _ = self
            .worker
            .sender
            .send(Message::Notification(Notification::new(
                lsp_types::notification::PublishDiagnostics::METHOD.to_owned(),
                params,
            )));
    }

    fn respond<T: serde::Serialize>(&self, id: RequestId, result: Option<T>) {
        let response = match result {
            Some(r) => Response::new_ok(id, r),
            None => Response::new_err(
                id,
                lsp_server::ErrorCode::InternalError as i32,
                "wscfg could not analyse the documents (see the server log)".to_owned(),
            ),
        };
        let _ = self.worker.sender.send(Message::Response(response));
    }
}

fn touches(a: &Range, b: &Range) -> bool {
    a.start <= b.end && b.start <= a.end
}

fn kind_wanted(only: Option<&Vec<CodeActionKind>>, kind: &str) -> bool {
    only.is_none_or(|only| {
        only.iter().any(|k| {
            let k = k.as_str();
            kind == k
                || kind
                    .strip_prefix(k)
                    .is_some_and(|rest| rest.starts_with('.'))
        })
    })
}

fn hover(a: &Analysis, snapshot: &Snapshot, env: &Env, params: HoverParams) -> Option<Hover> {
    let pos = params.text_document_position_params.position;
    let uri = &params.text_document_position_params.text_document.uri;
    let doc = snapshot.docs.get(uri)?;
    let (codes, range) = match analysis::rule_at(&doc.text, pos, env.encoding) {
        Some((code, range)) => (vec![code], range),
        None => {
            let under: Vec<_> = a
                .files
                .get(uri)?
                .iter()
                .filter(|f| !f.code.is_empty())
                .filter(|f| f.diagnostic.range.start <= pos && pos <= f.diagnostic.range.end)
                .collect();
            let range = under.first()?.diagnostic.range;
            let mut codes: Vec<&'static str> = under.iter().map(|f| f.code).collect();
            codes.dedup();
            (codes, range)
        }
    };
    let pages: Vec<String> = codes
        .iter()
        .filter_map(|code| {
            let page = crate::rules::page(code)?;
            Some(format!(
                "{}\n\n[{code} on the web]({})",
                page.trim_end(),
                crate::rules::rule_url(code)
            ))
        })
        .collect();
    if pages.is_empty() {
        return None;
    }
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: pages.join("\n\n---\n\n"),
        }),
        range: Some(range),
    })
}

/// Modification time and size of every `wscfg.toml` / `.wscfg.toml` that could apply to an
/// open document (in its directory or any above it).
fn fingerprint(snapshot: &Snapshot, env: &Env) -> Fingerprint {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for uri in snapshot.docs.keys() {
        let Some(path) = env.path_of(uri) else {
            continue;
        };
        let abs = match &env.root {
            Some(root) if path.is_relative() => root.join(path),
            _ => path,
        };
        dirs.extend(abs.ancestors().skip(1).map(PathBuf::from));
    }
    dirs.sort();
    dirs.dedup();
    dirs.iter()
        .flat_map(|d| crate::config::CONFIG_NAMES.iter().map(move |n| d.join(n)))
        .map(|p| {
            let meta = std::fs::metadata(&p)
                .ok()
                .and_then(|m| Some((m.modified().ok()?, m.len())));
            (p, meta)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_filters_by_kind_prefix() {
        let only = vec![CodeActionKind::SOURCE_FIX_ALL];
        assert!(kind_wanted(Some(&only), FIX_ALL_KIND));
        assert!(!kind_wanted(Some(&only), "quickfix"));
        let only = vec![CodeActionKind::from("source.fix")];
        assert!(!kind_wanted(Some(&only), FIX_ALL_KIND));
        assert!(kind_wanted(None, "quickfix"));
    }
}
