//! Integration tests of leadgate-connectors.
