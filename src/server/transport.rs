//! The server's side of the LSP base protocol on standard input/output: `Content-Length`
//! frames read with a bound on every header line and body, so a hostile or broken client
//! cannot make the server allocate what it announces, read forever, or exit. A frame that
//! cannot be used is answered with a JSON-RPC error (id `null`, as JSON-RPC says for a
//! message whose id is unknown) and skipped; the next frame is served.

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, ErrorCode, Message};
use std::io::{self, BufRead, Read, Write};
use std::thread::JoinHandle;

/// The largest message body read: a document at the default `--max-file-size` with every
/// byte escaped in JSON, and room for the rest of the message.
pub const MAX_FRAME: u64 = 2 * crate::workspace::DEFAULT_MAX_FILE_SIZE + 1024 * 1024;
/// The longest header line: real headers are a few dozen bytes.
const MAX_HEADER_LINE: u64 = 8 * 1024;

/// The reader and writer threads of one connection.
pub struct IoThreads {
    reader: JoinHandle<()>,
    writer: JoinHandle<io::Result<()>>,
}

impl IoThreads {
    pub fn join(self) -> Result<(), String> {
        self.reader
            .join()
            .map_err(|_| "the reading thread panicked".to_owned())?;
        self.writer
            .join()
            .map_err(|_| "the writing thread panicked".to_owned())?
            .map_err(|e| format!("cannot write to the client: {e}"))
    }
}

/// A connection over standard input and output.
pub fn stdio() -> (Connection, IoThreads) {
    let (to_client, outgoing) = crossbeam_channel::unbounded::<Message>();
    let (incoming, from_client) = crossbeam_channel::bounded::<Message>(0);
    let writer = std::thread::spawn(move || write_all(&outgoing));
    let reader = std::thread::spawn(move || read_all(&mut io::stdin().lock(), &incoming));
    let connection = Connection {
        sender: to_client,
        receiver: from_client,
    };
    (connection, IoThreads { reader, writer })
}

fn write_all(outgoing: &Receiver<Message>) -> io::Result<()> {
    for msg in outgoing {
        // Locked per message: the reading thread writes its error answers in between.
        msg.write(&mut io::stdout().lock())?;
    }
    Ok(())
}

/// Reads frames until the client closes its end or says `exit`.
fn read_all(input: &mut impl BufRead, incoming: &Sender<Message>) {
    loop {
        let msg = match read_frame(input, MAX_FRAME) {
            Ok(Some(Ok(body))) => parse(&body),
            Ok(Some(Err(refused))) => Err(refused),
            Ok(None) => return,
            Err(e) => {
                eprintln!("wscfg server: cannot read from the client: {e}");
                return;
            }
        };
        match msg {
            Ok(msg) => {
                let exit = matches!(&msg, Message::Notification(n) if n.method == "exit");
                if incoming.send(msg).is_err() || exit {
                    return;
                }
            }
            Err(refused) => {
                if answer_without_id(&mut io::stdout().lock(), &refused).is_err()
                    || refused.read_past(input).is_err()
                {
                    return;
                }
            }
        }
    }
}

/// Why a frame was not served: the JSON-RPC error code and message sent back.
#[derive(Debug, PartialEq)]
pub struct Refused {
    pub code: i32,
    pub message: String,
    /// Body bytes still to read past once answered (a message over the size limit): skipped
    /// as they stream by, never held, and the next frame starts after them.
    pub skip: u64,
}

impl Refused {
    fn invalid(message: String) -> Self {
        Refused {
            code: ErrorCode::InvalidRequest as i32,
            message,
            skip: 0,
        }
    }

    pub(crate) fn read_past(&self, input: &mut impl BufRead) -> io::Result<u64> {
        io::copy(&mut input.take(self.skip), &mut io::sink())
    }
}

/// One message from its body. The body is never quoted back: it may be a whole document.
pub(crate) fn parse(body: &[u8]) -> Result<Message, Refused> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| Refused {
        code: ErrorCode::ParseError as i32,
        message: format!("the message is not JSON ({e})"),
        skip: 0,
    })?;
    if value.is_array() {
        return Err(Refused::invalid(
            "batches are not part of the Language Server Protocol".into(),
        ));
    }
    serde_json::from_value(value).map_err(|_| {
        Refused::invalid("the message is not a JSON-RPC request, response or notification".into())
    })
}

fn answer_without_id(out: &mut impl Write, refused: &Refused) -> io::Result<()> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": { "code": refused.code, "message": refused.message },
    })
    .to_string();
    write!(out, "Content-Length: {}\r\n\r\n{body}", body.len())?;
    out.flush()
}

/// The next frame's body; `Ok(None)` at the end of input; `Some(Err(_))` for a frame that
/// was read past (too large, no length) and is answered with an error.
pub fn read_frame(
    input: &mut impl BufRead,
    max_body: u64,
) -> io::Result<Option<Result<Vec<u8>, Refused>>> {
    let mut length: Option<Result<u64, Refused>> = None;
    let mut any_header = false;
    loop {
        let Some(line) = read_header_line(input)? else {
            return Ok(None);
        };
        match line {
            Err(refused) => {
                any_header = true;
                length = Some(Err(refused));
            }
            Ok(line) if line.is_empty() && !any_header => continue,
            Ok(line) if line.is_empty() => break,
            Ok(line) => {
                any_header = true;
                let (name, value) = line.split_once(':').unwrap_or((&line, ""));
                if name.trim().eq_ignore_ascii_case("Content-Length")
                    && !matches!(length, Some(Err(_)))
                {
                    length = Some(value.trim().parse::<u64>().map_err(|_| {
                        Refused::invalid("the Content-Length header is not a number".into())
                    }));
                }
            }
        }
    }
    let length = match length {
        None => {
            return Ok(Some(Err(Refused::invalid(
                "the message has no Content-Length header".into(),
            ))));
        }
        Some(Err(refused)) => return Ok(Some(Err(refused))),
        Some(Ok(n)) => n,
    };
    if length > max_body {
        return Ok(Some(Err(Refused {
            skip: length,
            ..Refused::invalid(format!(
                "a message of {length} bytes is over the {max_body}-byte limit; it is skipped"
            ))
        })));
    }
    let mut body = Vec::new();
    input.take(length).read_to_end(&mut body)?;
    if (body.len() as u64) < length {
        return Ok(None);
    }
    Ok(Some(Ok(body)))
}

/// One header line without its line ending; `None` at the end of input. A line over
/// [`MAX_HEADER_LINE`] is read past and refused.
fn read_header_line(input: &mut impl BufRead) -> io::Result<Option<Result<String, Refused>>> {
    let mut line = Vec::new();
    let n = input.take(MAX_HEADER_LINE).read_until(b'\n', &mut line)?;
    if n == 0 {
        return Ok(None);
    }
    if line.last() != Some(&b'\n') {
        if (n as u64) < MAX_HEADER_LINE {
            return Ok(None);
        }
        let mut rest = Vec::new();
        // Bounded per call; a line without end is read past in pieces until it ends.
        while input.take(MAX_HEADER_LINE).read_until(b'\n', &mut rest)? > 0 {
            if rest.last() == Some(&b'\n') {
                break;
            }
            rest.clear();
        }
        return Ok(Some(Err(Refused::invalid(format!(
            "a header line is over {MAX_HEADER_LINE} bytes"
        )))));
    }
    let text = String::from_utf8_lossy(&line);
    Ok(Some(Ok(text.trim_end_matches(['\r', '\n']).to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &[u8], max: u64) -> Vec<Result<Vec<u8>, Refused>> {
        let mut r = io::BufReader::new(input);
        std::iter::from_fn(|| {
            let frame = read_frame(&mut r, max).unwrap()?;
            if let Err(refused) = &frame {
                refused.read_past(&mut r).unwrap();
            }
            Some(frame)
        })
        .collect()
    }

    #[test]
    fn frames_too_large_or_without_length_are_refused_and_the_next_is_read() {
        let input = b"Content-Length: 5\r\n\r\nhello\
            Content-Length: 12\r\n\r\nhello world!\
            X-Other: 1\r\n\r\n\
            Content-Length: x\r\n\r\n\
            Content-Length: 2\r\n\r\n{}";
        let got = frames(input, 5);
        assert_eq!(got[0], Ok(b"hello".to_vec()));
        assert!(
            matches!(&got[1], Err(r) if r.message.contains("12 bytes is over the 5-byte")),
            "{:?}",
            got[1]
        );
        assert!(matches!(&got[2], Err(r) if r.message.contains("no Content-Length")));
        assert!(matches!(&got[3], Err(r) if r.message.contains("not a number")));
        assert_eq!(got[4], Ok(b"{}".to_vec()));
        assert_eq!(got.len(), 5);
    }

    #[test]
    fn a_huge_announced_length_allocates_nothing_and_ends_with_the_input() {
        let got = frames(b"Content-Length: 99999999999999\r\n\r\n{}", MAX_FRAME);
        assert!(matches!(&got[0], Err(r) if r.message.contains("99999999999999 bytes")));
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn an_endless_header_line_is_read_past_in_bounded_pieces() {
        let mut input = vec![b'x'; 3 * MAX_HEADER_LINE as usize];
        input.extend_from_slice(b"\r\n\r\nContent-Length: 2\r\n\r\n{}");
        let got = frames(&input, 10);
        assert!(matches!(&got[0], Err(r) if r.message.contains("header line is over")));
        assert_eq!(got[1], Ok(b"{}".to_vec()));
    }

    #[test]
    fn bodies_that_are_not_messages_are_refused_without_quoting_them() {
        let e = parse(b"{\"secret\": ").unwrap_err();
        assert_eq!(e.code, ErrorCode::ParseError as i32);
        let e = parse(br#"[{"jsonrpc":"2.0","method":"initialized"}]"#).unwrap_err();
        assert!(e.message.contains("batches"), "{}", e.message);
        let e = parse(br#"{"secret": 1}"#).unwrap_err();
        assert_eq!(e.code, ErrorCode::InvalidRequest as i32);
        assert!(!e.message.contains("secret"));
        assert!(parse(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).is_ok());
    }
}
