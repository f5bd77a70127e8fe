//! The prospect-list pages in the browser: sort, filter, search, pages, the contact page.
