//! What every request handler shares: the workspace, the clock, the sign-in limiter, the
//! metrics and the OpenAPI document, behind one cheap-to-clone handle.

use std::sync::Arc;

use jiff::Timestamp;
use leadgate_store::Store;

use super::Clock;
use super::auth::SignInLimiter;
use super::ops::Metrics;
use crate::workspace::Workspace;

#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    workspace: Workspace,
    clock: Clock,
    limiter: SignInLimiter,
    metrics: Metrics,
    openapi_json: String,
    /// Rung when a request may have queued work, so that the worker runs it at once instead
    /// of at its next poll.
    work: Arc<tokio::sync::Notify>,
}

impl AppState {
    pub fn new(workspace: Workspace, clock: Clock, openapi_json: String) -> AppState {
        AppState {
            inner: Arc::new(Inner {
                workspace,
                clock,
                limiter: SignInLimiter::default(),
                metrics: Metrics::default(),
                openapi_json,
                work: Arc::new(tokio::sync::Notify::new()),
            }),
        }
    }

    /// Tells the worker that work may be waiting. Wakes it now if it is idle, or at once
    /// after the job in hand: rings between two looks are not lost, and many are one.
    pub fn wake_worker(&self) {
        self.inner.work.notify_one();
    }

    /// What the worker waits on between polls.
    pub fn work_signal(&self) -> Arc<tokio::sync::Notify> {
        self.inner.work.clone()
    }

    pub fn workspace(&self) -> &Workspace {
        &self.inner.workspace
    }

    pub fn store(&self) -> &Store {
        &self.inner.workspace.store
    }

    /// The time now, from the injected clock: the one place the server learns it.
    pub fn now(&self) -> Timestamp {
        (self.inner.clock)()
    }

    pub fn clock(&self) -> Clock {
        self.inner.clock.clone()
    }

    pub fn limiter(&self) -> &SignInLimiter {
        &self.inner.limiter
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub fn openapi_json(&self) -> &str {
        &self.inner.openapi_json
    }

    /// Whether cookies get `Secure` regardless of how the request arrived.
    pub fn secure_cookies(&self) -> bool {
        self.inner.workspace.config.server.secure_cookies
    }
}
