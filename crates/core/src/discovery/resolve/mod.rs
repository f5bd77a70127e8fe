//! Entity resolution (in progress).
