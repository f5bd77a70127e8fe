//! Every page checked by axe-core in the test's Chromium: no serious or critical violation.
