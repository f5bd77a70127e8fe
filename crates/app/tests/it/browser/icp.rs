//! The ICP pages in the browser: the criteria in words, the diff, proposing from the web.
