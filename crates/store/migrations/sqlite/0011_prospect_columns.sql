-- What a list is searched, filtered and sorted by, kept beside each prospect's profile JSON
-- (core's ProspectColumns): the list page sorts and filters 90,000 prospects in the database
-- instead of reading every profile. `search` is the name, e-mail, company and domain,
-- lower-cased. The rows of lists built before are filled from their JSON below (SQLite's
-- lower() folds ASCII letters only: such a row's "É" stays a capital until the next run).
ALTER TABLE prospects ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE prospects ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE prospects ADD COLUMN domain TEXT NOT NULL DEFAULT '';
ALTER TABLE prospects ADD COLUMN company TEXT NOT NULL DEFAULT '';
ALTER TABLE prospects ADD COLUMN country TEXT NOT NULL DEFAULT '';
ALTER TABLE prospects ADD COLUMN seniority TEXT NOT NULL DEFAULT '';
ALTER TABLE prospects ADD COLUMN drop_kind TEXT NOT NULL DEFAULT '';
ALTER TABLE prospects ADD COLUMN search TEXT NOT NULL DEFAULT '';
CREATE INDEX prospects_by_status ON prospects (list_id, status);

UPDATE prospects SET
    name = TRIM(CASE
        WHEN TRIM(COALESCE(json_extract(profile, '$.person.full_name.value'), '')) <> ''
            THEN json_extract(profile, '$.person.full_name.value')
        ELSE COALESCE(json_extract(profile, '$.person.first_name.value'), '') || ' '
            || COALESCE(json_extract(profile, '$.person.last_name.value'), '')
    END),
    email = COALESCE(json_extract(profile, '$.person.email.value'), ''),
    domain = COALESCE(json_extract(profile, '$.company.company_domain.value'), ''),
    company = COALESCE(json_extract(profile, '$.company.company_name.value'), ''),
    country = COALESCE(NULLIF(json_extract(profile, '$.person.country.value'), ''),
        json_extract(profile, '$.company.company_country.value'), ''),
    seniority = COALESCE(json_extract(profile, '$.person.seniority.value'), ''),
    drop_kind = CASE WHEN status <> 'dropped' THEN '' ELSE COALESCE(
        (SELECT 'ICP ' || json_extract(c.value, '$.criterion')
           FROM json_each(evaluation, '$.icp.criteria') AS c
          WHERE json_extract(c.value, '$.required') AND json_extract(c.value, '$.outcome') = 'fail'
          ORDER BY c.key LIMIT 1),
        CASE WHEN json_extract(evaluation, '$.freshness.freshness') = 'expired' THEN 'freshness' END,
        CASE WHEN json_extract(evaluation, '$.compliance.blocked') IS NOT NULL THEN 'compliance' END,
        '') END;
UPDATE prospects SET search = lower(name || ' ' || email || ' ' || company || ' ' || domain);
