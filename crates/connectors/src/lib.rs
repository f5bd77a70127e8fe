//! leadgate's connectors to the outside world: file importers, enrichment providers, mail,
//! CRM and LLM clients. Each connector turns what arrives from outside into facts with
//! provenance for `leadgate-core`; nothing here decides anything. Stage 2 (discovery) brings
//! the first of them: [`import`], the file importers (CSV in any common encoding and
//! delimiter, JSON Lines, the presets of Apollo, Sales Navigator, HubSpot and Salesforce,
//! and mapping files), and [`search`], the sources that search: the ICP compiled into
//! Apollo's People API Search filters, paged within rate limits and a credit budget, and
//! fed through the same importer. Stage 3 (enrichment) adds [`enrich`]: the providers —
//! files, any JSON API described in TOML, Apollo's enrichment endpoints — and the async
//! driver of `leadgate-core`'s waterfall. Stage 4 (outreach) adds [`mail`]: messages built,
//! DKIM-signed with one-click unsubscribe headers, and sent to files or an SMTP relay; and
//! [`dns`]: whether a sending domain publishes the SPF, DKIM and DMARC records its mail needs;
//! [`imap`]: the sending mailboxes' inboxes, read without changing them; and [`llm`]: any
//! OpenAI-compatible chat endpoint, hosted or local, for the optional model writer.

pub mod dns;
pub mod enrich;
mod http_error;
pub mod imap;
pub mod import;
pub mod llm;
pub mod mail;
pub mod search;
