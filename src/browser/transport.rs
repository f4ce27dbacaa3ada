//! The connection to the WebDriver server, with a deadline on every answer.
//!
//! A WebDriver server (or a Grid) that accepts a connection and never answers would hold a
//! fantoccini command, and the session task behind it, for ever. So every connection the
//! client opens goes through `Deadlined`: connecting, and every wait for an answer after a
//! request was written, ends within `limit` with a `NoAnswer` error. The limit sits a little
//! above the session's own page-load and script timeouts, so that a server that works always
//! answers first. An idle pooled connection may hit the deadline too: hyper then drops it and
//! the next command opens a new one.

use std::error::Error as StdError;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use hyper::Uri;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_util::client::legacy::connect::{Connected, Connection};
use tokio::time::{Instant, Sleep};

/// A WebDriver server that did not answer in time.
#[derive(Debug, Clone)]
pub struct NoAnswer {
    /// The server, as `scheme://host:port`.
    pub server: String,
    pub limit: Duration,
}

impl fmt::Display for NoAnswer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the WebDriver server at {} did not answer within {} s",
            self.server,
            self.limit.as_secs()
        )
    }
}

impl StdError for NoAnswer {}

/// The `NoAnswer` somewhere in `err`'s chain of causes, if that is why it failed.
pub fn no_answer(err: &(dyn StdError + 'static)) -> Option<NoAnswer> {
    let mut cause = Some(err);
    while let Some(err) = cause {
        if let Some(found) = err.downcast_ref::<NoAnswer>() {
            return Some(found.clone());
        }
        if let Some(found) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<NoAnswer>())
        {
            return Some(found.clone());
        }
        cause = err.source();
    }
    None
}

/// A connector whose connections give up on a silent server after `limit`.
#[derive(Debug, Clone)]
pub struct Deadlined<C> {
    inner: C,
    limit: Duration,
}

impl<C> Deadlined<C> {
    pub fn new(inner: C, limit: Duration) -> Deadlined<C> {
        Deadlined { inner, limit }
    }
}

fn server_of(uri: &Uri) -> String {
    let scheme = uri.scheme_str().unwrap_or("http");
    match uri.authority() {
        Some(authority) => format!("{scheme}://{authority}"),
        None => uri.to_string(),
    }
}

impl<C> tower_service::Service<Uri> for Deadlined<C>
where
    C: tower_service::Service<Uri>,
    C::Response: Read + Write + Connection + Unpin + Send + 'static,
    C::Future: Send + 'static,
    C::Error: Into<Box<dyn StdError + Send + Sync>>,
{
    type Response = DeadlinedStream<C::Response>;
    type Error = Box<dyn StdError + Send + Sync>;
    type Future =
        Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send + 'static>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let no_answer = NoAnswer {
            server: server_of(&uri),
            limit: self.limit,
        };
        let connecting = self.inner.call(uri);
        Box::pin(async move {
            match tokio::time::timeout(no_answer.limit, connecting).await {
                Ok(Ok(stream)) => Ok(DeadlinedStream::new(stream, no_answer)),
                Ok(Err(err)) => Err(err.into()),
                Err(_) => Err(Box::new(no_answer) as Box<dyn StdError + Send + Sync>),
            }
        })
    }
}

/// A connection that fails a read when nothing has come back within the limit of the last
/// write (or of the last bytes read).
pub struct DeadlinedStream<S> {
    inner: S,
    deadline: Pin<Box<Sleep>>,
    /// A request was written since the connection opened: an answer is due.
    armed: bool,
    /// Whoever waits to read: a write (re)starts the deadline while the reader already waits,
    /// so the deadline must wake the reader itself.
    reader: Option<Waker>,
    no_answer: NoAnswer,
}

impl<S> DeadlinedStream<S> {
    fn new(inner: S, no_answer: NoAnswer) -> DeadlinedStream<S> {
        DeadlinedStream {
            inner,
            deadline: Box::pin(tokio::time::sleep(no_answer.limit)),
            armed: false,
            reader: None,
            no_answer,
        }
    }

    fn rearm(&mut self) {
        self.armed = true;
        let next = Instant::now() + self.no_answer.limit;
        self.deadline.as_mut().reset(next);
        if let Some(reader) = &self.reader {
            // Registers the reader with the timer; the read that it wakes reports the expiry.
            let _ = self
                .deadline
                .as_mut()
                .poll(&mut Context::from_waker(reader));
        }
    }
}

impl<S: Read + Unpin> Read for DeadlinedStream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_read(cx, buf) {
            Poll::Ready(result) => {
                if this.armed {
                    this.rearm();
                }
                Poll::Ready(result)
            }
            Poll::Pending => {
                if !this
                    .reader
                    .as_ref()
                    .is_some_and(|w| w.will_wake(cx.waker()))
                {
                    this.reader = Some(cx.waker().clone());
                }
                if this.armed && this.deadline.as_mut().poll(cx).is_ready() {
                    return Poll::Ready(Err(std::io::Error::new(
                        std::io::ErrorKind::TimedOut,
                        this.no_answer.clone(),
                    )));
                }
                Poll::Pending
            }
        }
    }
}

impl<S: Write + Unpin> Write for DeadlinedStream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.inner).poll_write(cx, buf);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            this.rearm();
        }
        written
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let this = &mut *self;
        let written = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        if matches!(written, Poll::Ready(Ok(n)) if n > 0) {
            this.rearm();
        }
        written
    }
}

impl<S: Connection> Connection for DeadlinedStream<S> {
    fn connected(&self) -> Connected {
        self.inner.connected()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_server_that_never_answers_fails_the_request_within_the_limit() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        // Accepts, reads, and never answers.
        let _server = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((stream, _)) = listener.accept().await {
                held.push(stream);
            }
        });
        let connector = Deadlined::new(
            hyper_util::client::legacy::connect::HttpConnector::new(),
            Duration::from_millis(300),
        );
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build::<_, String>(connector);
        let uri: Uri = format!("http://{address}/status").parse().unwrap();
        let err = tokio::time::timeout(Duration::from_secs(10), client.get(uri))
            .await
            .expect("the deadline ends the request")
            .unwrap_err();
        let found = no_answer(&err).expect("the chain names the silent server");
        assert_eq!(found.server, format!("http://{address}"));
        assert!(
            found.to_string().contains("did not answer within"),
            "{found}"
        );
    }
}
