-- The accounts a CRM says are customers, by registrable domain, as last imported from each
-- source: an import replaces that source's accounts, so a churned customer leaves.
CREATE TABLE customer_accounts (
    source       TEXT NOT NULL,
    domain       TEXT NOT NULL,
    name         TEXT,
    imported_at  BIGINT NOT NULL,
    imported_by  TEXT NOT NULL,
    PRIMARY KEY (source, domain)
);
