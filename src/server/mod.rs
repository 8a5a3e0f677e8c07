//! `wscfg server`: a Language Server Protocol server over standard input and output.
//!
//! The thread that reads the client only keeps the open documents up to date and hands
//! snapshots of them to the analysis thread ([`worker`]), which runs the engine, publishes
//! diagnostics and answers code-action and hover requests. Nothing on the reading thread
//! touches the disk, so a slow disk never delays the client's messages.

mod analysis;
mod text;
pub(crate) mod transport;
mod worker;

use analysis::{Doc, Env, Snapshot};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{self, Notification as _};
use lsp_types::request::{self, Request as _};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability,
    DidChangeWatchedFilesRegistrationOptions, FileSystemWatcher, GlobPattern,
    HoverProviderCapability, InitializeParams, InitializeResult, Registration, RegistrationParams,
    SaveOptions, ServerCapabilities, ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
    TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Url,
};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::Duration;
use text::Encoding;
use worker::{FIX_ALL_KIND, Job, Worker};

/// How long the server waits after an edit for the next one before analysing.
const DEBOUNCE: Duration = Duration::from_millis(200);
/// How often configuration files are checked for changes when the client cannot watch them.
const CONFIG_POLL: Duration = Duration::from_secs(2);

/// Serves one client on standard input/output until it says `exit`. Returns whether the
/// client asked for `shutdown` first (the exit code depends on it).
pub fn run() -> Result<bool, String> {
    let (connection, io_threads) = transport::stdio();
    let result = serve(connection);
    io_threads
        .join()
        .map_err(|e| format!("language server I/O: {e}"))?;
    result
}

fn serve(connection: Connection) -> Result<bool, String> {
    let params = initialize_params(&connection)?;
    let (id, params) = params;
    let caps = &params.capabilities;
    let encoding = Encoding::negotiate(
        caps.general
            .as_ref()
            .and_then(|g| g.position_encodings.as_deref()),
    );
    let document_changes = caps
        .workspace
        .as_ref()
        .and_then(|w| w.workspace_edit.as_ref())
        .and_then(|e| e.document_changes)
        .unwrap_or(false);
    let resolve_edits = caps
        .text_document
        .as_ref()
        .and_then(|t| t.code_action.as_ref())
        .and_then(|c| c.resolve_support.as_ref())
        .is_some_and(|r| r.properties.iter().any(|p| p == "edit"));
    let can_watch = caps
        .workspace
        .as_ref()
        .and_then(|w| w.did_change_watched_files.as_ref())
        .and_then(|d| d.dynamic_registration)
        .unwrap_or(false);
    let root = workspace_root(&params);
    // Paths inside the workspace folder are relative to it, as for `wscfg check` run there:
    // messages name files the way the user sees them, includes resolve from there.
    let root = root.filter(|r| std::env::set_current_dir(r).is_ok());

    let result = InitializeResult {
        capabilities: capabilities(encoding),
        server_info: Some(ServerInfo {
            name: "wscfg".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection
        .initialize_finish(
            id,
            serde_json::to_value(result).expect("the initialize result serialises"),
        )
        .map_err(|e| format!("language server: {e}"))?;

    if can_watch {
        register_watchers(&connection);
    }

    let env = Env {
        root,
        encoding,
        document_changes,
        resolve_edits,
    };
    let latest = Arc::new(AtomicU64::new(0));
    let (jobs, jobs_rx) = mpsc::channel();
    let worker = Worker {
        env: env.clone(),
        sender: connection.sender.clone(),
        latest: latest.clone(),
        poll: (!can_watch).then_some(CONFIG_POLL),
    };
    let handle = std::thread::Builder::new()
        .name("wscfg-analysis".into())
        .spawn(move || worker.run(jobs_rx))
        .map_err(|e| format!("cannot start the analysis thread: {e}"))?;

    let mut main = MainLoop {
        connection: &connection,
        env,
        docs: BTreeMap::new(),
        generation: 0,
        latest,
        jobs,
        shutdown: false,
    };
    let result = main.run();
    drop(main);
    handle
        .join()
        .map_err(|_| "the analysis thread panicked".to_owned())?;
    result
}

/// The client's `initialize` request; one whose parameters are ill-typed is answered with
/// an invalid-params error and the server waits for the next.
fn initialize_params(connection: &Connection) -> Result<(RequestId, InitializeParams), String> {
    loop {
        let (id, params) = connection
            .initialize_start()
            .map_err(|e| format!("language server: {e}"))?;
        match serde_json::from_value(params) {
            Ok(params) => return Ok((id, params)),
            Err(e) => {
                let answer = Response::new_err(
                    id,
                    ErrorCode::InvalidParams as i32,
                    format!("bad initialize parameters: {e}"),
                );
                connection
                    .sender
                    .send(Message::Response(answer))
                    .map_err(|e| format!("language server: {e}"))?;
            }
        }
    }
}

fn workspace_root(params: &InitializeParams) -> Option<PathBuf> {
    #[allow(deprecated)] // root_uri and root_path are what older clients send.
    let uri = params
        .workspace_folders
        .as_ref()
        .and_then(|f| f.first())
        .map(|f| f.uri.clone())
        .or_else(|| params.root_uri.clone());
    #[allow(deprecated)]
    let from_path = params.root_path.as_ref().map(PathBuf::from);
    uri.and_then(|u| u.to_file_path().ok())
        .or(from_path)
        .filter(|p| p.is_dir())
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![
                CodeActionKind::QUICKFIX,
                CodeActionKind::from(FIX_ALL_KIND),
            ]),
            resolve_provider: Some(true),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    }
}

/// Asks the client to report changes to configuration files (and nginx files read from disk
/// through includes).
fn register_watchers(connection: &Connection) {
    let watchers = ["**/wscfg.toml", "**/.wscfg.toml", "**/*.conf"]
        .into_iter()
        .map(|g| FileSystemWatcher {
            glob_pattern: GlobPattern::String(g.into()),
            kind: None,
        })
        .collect();
    let params = RegistrationParams {
        registrations: vec![Registration {
            id: "wscfg-watch-config".into(),
            method: notification::DidChangeWatchedFiles::METHOD.into(),
            register_options: Some(
                serde_json::to_value(DidChangeWatchedFilesRegistrationOptions { watchers })
                    .expect("registration options serialise"),
            ),
        }],
    };
    let _ = connection.sender.send(Message::Request(Request::new(
        "wscfg/registerWatchers".to_owned().into(),
        request::RegisterCapability::METHOD.into(),
        params,
    )));
}

struct MainLoop<'a> {
    connection: &'a Connection,
    env: Env,
    docs: BTreeMap<Url, Doc>,
    generation: u64,
    latest: Arc<AtomicU64>,
    jobs: mpsc::Sender<Job>,
    shutdown: bool,
}

impl MainLoop<'_> {
    fn run(&mut self) -> Result<bool, String> {
        while let Ok(msg) = self.connection.receiver.recv() {
            match msg {
                Message::Request(req) => self.request(req),
                Message::Notification(n) if n.method == notification::Exit::METHOD => {
                    return Ok(self.shutdown);
                }
                Message::Notification(n) => self.notification(n),
                // Answers to our own requests (the watcher registration): nothing to do.
                Message::Response(_) => {}
            }
        }
        // The client closed the connection without `exit`.
        Ok(false)
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        Arc::new(Snapshot {
            generation: self.generation,
            docs: self.docs.clone(),
        })
    }

    /// Records a change of state and schedules its analysis.
    fn changed(&mut self, delay: Duration) {
        self.generation += 1;
        self.latest.store(self.generation, Ordering::SeqCst);
        let snapshot = self.snapshot();
        let _ = self.jobs.send(Job::Analyse { snapshot, delay });
    }

    fn reply_error(&self, req: Request, code: ErrorCode, message: &str) {
        let _ = self
            .connection
            .sender
            .send(Message::Response(Response::new_err(
                req.id,
                code as i32,
                message.to_owned(),
            )));
    }

    fn request(&mut self, req: Request) {
        if self.shutdown {
            return self.reply_error(
                req,
                ErrorCode::InvalidRequest,
                "the server is shutting down",
            );
        }
        match req.method.as_str() {
            request::Shutdown::METHOD => {
                self.shutdown = true;
                let _ = self
                    .connection
                    .sender
                    .send(Message::Response(Response::new_ok(req.id, ())));
            }
            request::CodeActionRequest::METHOD => {
                match serde_json::from_value(req.params.clone()) {
                    Ok(params) => {
                        let snapshot = self.snapshot();
                        let _ = self.jobs.send(Job::CodeAction {
                            id: req.id,
                            params,
                            snapshot,
                        });
                    }
                    Err(e) => self.reply_error(req, ErrorCode::InvalidParams, &e.to_string()),
                }
            }
            request::CodeActionResolveRequest::METHOD => {
                match serde_json::from_value(req.params.clone()) {
                    Ok(action) => {
                        let snapshot = self.snapshot();
                        let _ = self.jobs.send(Job::Resolve {
                            id: req.id,
                            action,
                            snapshot,
                        });
                    }
                    Err(e) => self.reply_error(req, ErrorCode::InvalidParams, &e.to_string()),
                }
            }
            request::HoverRequest::METHOD => match serde_json::from_value(req.params.clone()) {
                Ok(params) => {
                    let snapshot = self.snapshot();
                    let _ = self.jobs.send(Job::Hover {
                        id: req.id,
                        params,
                        snapshot,
                    });
                }
                Err(e) => self.reply_error(req, ErrorCode::InvalidParams, &e.to_string()),
            },
            _ => self.reply_error(req, ErrorCode::MethodNotFound, "not supported by wscfg"),
        }
    }

    fn notification(&mut self, n: Notification) {
        match n.method.as_str() {
            notification::DidOpenTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidOpenTextDocumentParams>(
                    notification::DidOpenTextDocument::METHOD,
                ) else {
                    return;
                };
                let d = p.text_document;
                self.docs.insert(
                    d.uri,
                    Doc {
                        version: d.version,
                        language_id: d.language_id,
                        text: d.text.into(),
                    },
                );
                self.changed(Duration::ZERO);
            }
            notification::DidChangeTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidChangeTextDocumentParams>(
                    notification::DidChangeTextDocument::METHOD,
                ) else {
                    return;
                };
                let Some(doc) = self.docs.get_mut(&p.text_document.uri) else {
                    return;
                };
                let mut text = doc.text.to_string();
                for change in &p.content_changes {
                    text::apply_change(&mut text, change, self.env.encoding);
                }
                doc.text = text.into();
                doc.version = p.text_document.version;
                self.changed(DEBOUNCE);
            }
            notification::DidCloseTextDocument::METHOD => {
                let Ok(p) = n.extract::<lsp_types::DidCloseTextDocumentParams>(
                    notification::DidCloseTextDocument::METHOD,
                ) else {
                    return;
                };
                if self.docs.remove(&p.text_document.uri).is_some() {
                    self.changed(Duration::ZERO);
                }
            }
            // Saving changes what other documents read from disk through includes; a watched
            // configuration file changing changes the rules.
            notification::DidSaveTextDocument::METHOD
            | notification::DidChangeWatchedFiles::METHOD => self.changed(DEBOUNCE),
            _ => {}
        }
    }
}
