-- What a list is searched, filtered and sorted by, kept beside each prospect's profile JSON
-- (core's ProspectColumns): the list page sorts and filters 90,000 prospects in the database
-- instead of reading every profile. `search` is the name, e-mail, company and domain,
-- lower-cased. The rows of lists built before are filled from their JSON below.
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
        WHEN TRIM(COALESCE(profile::jsonb #>> '{person,full_name,value}', '')) <> ''
            THEN profile::jsonb #>> '{person,full_name,value}'
        ELSE COALESCE(profile::jsonb #>> '{person,first_name,value}', '') || ' '
            || COALESCE(profile::jsonb #>> '{person,last_name,value}', '')
    END),
    email = COALESCE(profile::jsonb #>> '{person,email,value}', ''),
    domain = COALESCE(profile::jsonb #>> '{company,company_domain,value}', ''),
    company = COALESCE(profile::jsonb #>> '{company,company_name,value}', ''),
    country = COALESCE(NULLIF(profile::jsonb #>> '{person,country,value}', ''),
        profile::jsonb #>> '{company,company_country,value}', ''),
    seniority = COALESCE(profile::jsonb #>> '{person,seniority,value}', ''),
    drop_kind = CASE WHEN status <> 'dropped' THEN '' ELSE COALESCE(
        (SELECT 'ICP ' || (c.value ->> 'criterion')
           FROM jsonb_array_elements(evaluation::jsonb #> '{icp,criteria}') WITH ORDINALITY AS c(value, n)
          WHERE (c.value ->> 'required')::boolean AND c.value ->> 'outcome' = 'fail'
          ORDER BY c.n LIMIT 1),
        CASE WHEN evaluation::jsonb #>> '{freshness,freshness}' = 'expired' THEN 'freshness' END,
        CASE WHEN jsonb_typeof(evaluation::jsonb #> '{compliance,blocked}') = 'object' THEN 'compliance' END,
        '') END;
UPDATE prospects SET search = lower(name || ' ' || email || ' ' || company || ' ' || domain);
