//! leadgate's connectors to the outside world: file importers, enrichment providers, mail,
//! CRM and LLM clients. Each connector turns what arrives from outside into facts with
//! provenance for `leadgate-core`; nothing here decides anything. Stage 2 (discovery) brings
//! the first importers; until then the crate only fixes its place in the dependency graph
//! (`app → connectors → core`).
