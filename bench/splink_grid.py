#!/usr/bin/env python3
"""Splink 5 (DuckDB) deduplicating a B2B contact file of the benchmark grid, beside leadgate.

usage: splink_grid.py INPUT.csv --out clusters.csv [--threads 2] [--threshold 0.9] [--u-max-pairs 1e7]
Reads the grid's columns (record_id, first_name, last_name, full_name, email, company_name,
company_domain, website, title, phone, linkedin_url, city, location; a missing one counts as
empty; true_id is never read) and writes record_id,cluster_id. Prints the time of each step.
Install: python -m venv venv && venv/bin/pip install splink==5.0.0 duckdb pandas pyarrow

One configuration for every variant of the grid, set from Splink's documentation and the
comparison library, not tuned per variant:
- Names are cleaned (accents, case, LinkedIn credentials and pronouns, "Last, First" and
  full-name-only rows split) and compared as one forename/surname comparison in the shape of
  ForenameSurnameComparison: exact full name with term-frequency adjustment, names swapped
  (ColumnsReversedLevel), forename by a nickname table plus surname, Jaro-Winkler on both,
  then surname or forename alone with term frequencies. One comparison, not two, because
  forename and surname are not independent evidence under Fellegi-Sunter.
- E-mail: exact address; the same local part with a personal address on one side; a local
  part within one edit at the same employer. The same local part at two employers gets no
  level of its own: it is made from the name, so it repeats the name comparison's evidence
  (with such a level, namesakes at companies that both use first.last linked, and precision
  at 200,000 rows fell to 0.78). Jaro-Winkler on the whole address, as in EmailComparison,
  is satisfied by any two colleagues.
- Workplace: one comparison over the person's direct line, the domain (from company_domain,
  website or a work address), the company name without legal form, and a shared line (the
  last nine digits of a number that rows of two different surnames carry, such as a
  switchboard). Colleagues share employer and switchboard together, so two comparisons
  would count one fact twice under Fellegi-Sunter's independence assumption; as separate
  comparisons, F1 on the "everything" file of 200,000 rows was 0.80, as one 0.88. Term
  frequencies make "same employer" weak evidence at a company of 300 and strong at one of 3.
- LinkedIn handle; title (Jaro-Winkler); city, or a LinkedIn location's city (with term
  frequencies).
- Blocking on e-mail, LinkedIn handle, phone, surname + domain, forename + domain, forename +
  surname, surname + company, and swapped names.
- λ from deterministic rules, u by random sampling (1e7 pairs; 2e6 lost 0.007 F1 at
  200,000 rows against 5e6, and 1e7 gained nothing over 5e6 at 20,000), m by EM in three
  sessions blocked on LinkedIn handle, e-mail and full name; connected components at
  --threshold (0.9 had the best mean F1 over eight variants at 20,000 rows among 0.5, 0.8,
  0.9, 0.95 and 0.99, and the best F1 on "everything" at 200,000).
"""
import argparse
import time

import duckdb

import splink.comparison_library as cl
import splink.comparison_level_library as cll
from splink import DuckDBAPI, Linker, SettingsCreator, block_on

ap = argparse.ArgumentParser()
ap.add_argument("path")
ap.add_argument("--out", required=True)
ap.add_argument("--threads", type=int, default=2)
ap.add_argument("--threshold", type=float, default=0.9)
ap.add_argument("--u-max-pairs", type=float, default=1e7)
args = ap.parse_args()

COLS = ["first_name", "last_name", "full_name", "email", "company_name", "company_domain", "website",
        "title", "phone", "linkedin_url", "city", "location"]
FREEMAIL = ("gmail.com", "googlemail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com",
            "aol.com", "proton.me", "gmx.de", "web.de")
# Common short forms of first names (English, German, Spanish, Italian, Dutch, Polish,
# Russian), the kind of lookup Splink's documentation suggests for name variants.
NICKNAMES = {
    "robert": "bob rob bobby robbie bert", "william": "bill will billy willy liam",
    "elizabeth": "liz beth betty lizzie eliza", "katherine": "kate katie kathy kat",
    "catherine": "cathy cat kate", "margaret": "peggy maggie meg", "james": "jim jimmy jamie",
    "john": "jack johnny", "jonathan": "jon jonny", "michael": "mike mikey micha",
    "christopher": "chris", "christine": "chris chrissy tina", "christian": "chris",
    "richard": "rick rich dick", "thomas": "tom tommy", "daniel": "dan danny dani",
    "matthew": "matt", "andrew": "andy drew", "joseph": "joe joey", "benjamin": "ben benny",
    "nicholas": "nick nicky", "anthony": "tony", "edward": "ed eddie ted", "samuel": "sam sammy",
    "samantha": "sam sammy", "jennifer": "jen jenny", "jessica": "jess jessie",
    "rebecca": "becky becca", "patricia": "pat patty trish", "victoria": "vicky tori",
    "abigail": "abby", "stephanie": "steph", "deborah": "deb debbie", "susan": "sue susie",
    "steven": "steve", "stephen": "steve", "timothy": "tim timmy", "charles": "charlie chuck",
    "gregory": "greg", "kenneth": "ken kenny", "ronald": "ron ronnie", "donald": "don donnie",
    "lawrence": "larry", "raymond": "ray", "douglas": "doug", "zachary": "zach zack",
    "nathan": "nate", "joshua": "josh", "amanda": "mandy", "theodore": "ted teddy theo",
    "frederick": "fred freddie", "peter": "pete", "phillip": "phil", "philip": "phil",
    "jacob": "jake", "kimberly": "kim", "pamela": "pam", "cynthia": "cindy",
    "eleanor": "ellie nora", "gabriel": "gabe", "david": "dave", "jeffrey": "jeff",
    "gerald": "gerry jerry", "patrick": "pat paddy", "dorothy": "dot dottie",
    "barbara": "barb babs", "madison": "maddie", "alexander": "alex sasha xander",
    "alexandra": "alex lexi sasha", "johannes": "hans jo hannes", "wolfgang": "wolf",
    "friedrich": "fritz", "maximilian": "max", "andreas": "andi", "elisabeth": "lisa sissi elli",
    "katharina": "kathi kati", "gabriele": "gabi", "susanne": "susi", "florian": "flo",
    "sebastian": "basti seb", "margarete": "grete", "wilhelm": "willi", "franziska": "franzi",
    "tobias": "tobi", "ulrich": "uli", "ursula": "uschi", "manfred": "manni", "monika": "moni",
    "matthias": "matze", "francisco": "paco pancho curro fran", "jose": "pepe ze",
    "ignacio": "nacho", "guillermo": "memo guille", "jesus": "chucho chuy", "enrique": "quique",
    "manuel": "manolo", "dolores": "lola", "concepcion": "concha", "guadalupe": "lupe",
    "rosario": "charo", "eduardo": "lalo", "roberto": "beto", "alberto": "beto",
    "alejandro": "alex alejo", "santiago": "santi", "giuseppe": "beppe peppe pino",
    "alessandro": "sandro ale", "lorenzo": "enzo", "giovanni": "gianni nanni",
    "francesco": "franco cecco", "federica": "fede", "antonio": "toni toninho tonho",
    "guilherme": "gui", "rafael": "rafa", "fernanda": "nanda", "beatriz": "bia",
    "vinicius": "vini", "nicolas": "nico", "frederic": "fred", "christophe": "chris",
    "alexandre": "alex", "dominique": "dom", "isabelle": "isa", "sebastien": "seb",
    "emmanuel": "manu", "cornelis": "kees cor", "jacobus": "koos jaap sjaak", "hendrik": "henk",
    "pieter": "piet", "willem": "wim", "wilhelmina": "mien wil", "johanna": "joke",
    "katarzyna": "kasia", "malgorzata": "gosia malgosia", "aleksandra": "ola",
    "agnieszka": "aga", "tomasz": "tomek", "krzysztof": "krzysiek", "wojciech": "wojtek",
    "magdalena": "magda", "jakub": "kuba", "jozef": "jozek", "joanna": "asia", "zofia": "zosia",
    "grzegorz": "grzesiek", "bartosz": "bartek", "przemyslaw": "przemek",
    "aleksandr": "sasha sanya", "aleksei": "alyosha lyosha", "dmitri": "dima",
    "mikhail": "misha", "nikolai": "kolya", "vladimir": "vova volodya", "yekaterina": "katya",
    "tatyana": "tanya", "natalya": "natasha", "anastasia": "nastya", "yelena": "lena",
    "irina": "ira", "ivan": "vanya", "pavel": "pasha", "konstantin": "kostya",
    "yevgeny": "zhenya", "svetlana": "sveta", "venkatesh": "venky", "srinivas": "srini",
    "siddharth": "sid", "abhishek": "abhi", "padraig": "paddy",
}
LEGAL = (r"\b(inc|incorporated|llc|l l c|ltd|limited|gmbh|co kg|kg|ag|se|s a s|sas|s a|sa|s l|sl|"
         r"sarl|s a r l|plc|corp|corporation|company|co|b v|bv|n v|nv|pvt|private|pty|pte|ltda|"
         r"s r l|srl|s p a|spa|sp z o o|ab|aktiebolag|aps|a s|dac|group|holdings|account|hq|"
         r"emea|old|parent|usa|uk)\b")
TLD = r"\.(com|io|ai|co|net|de|fr|nl|se|dk|es|it|pl|in|co\.in|co\.uk|uk|ie|ca|com\.au|com\.br|sg)$"

T = {}
t0 = time.perf_counter()
con = duckdb.connect()
con.execute(f"SET threads={args.threads}")
con.execute(f"create table raw0 as select * from read_csv('{args.path}', all_varchar=true, header=true)")
have = {r[0] for r in con.execute("describe raw0").fetchall()}
sel = ", ".join([f"nullif(trim({c}), '') as {c}" if c in have else f"cast(null as varchar) as {c}" for c in COLS])
con.execute(f"create table raw as select cast(record_id as bigint) as record_id, {sel} from raw0")
con.execute("create table keys (name varchar, formal varchar)")
con.executemany("insert into keys values (?, ?)",
                [(n, formal) for formal, ns in NICKNAMES.items() for n in [formal, *ns.split()]])


def clean_name(expr):
    """Lower case, no accents, no credentials, pronouns or emoji; letters, spaces, ' and -."""
    folded = (f"strip_accents(lower(replace(replace(replace(replace(replace({expr}, 'ł', 'l'), 'Ł', 'l'),"
              f" 'ß', 'ss'), 'ø', 'o'), 'đ', 'd')))")
    no_flair = rf"regexp_replace({folded}, '\([^)]*\)|\b(mba|cpa|phd|pmp)\b', '', 'g')"
    return (rf"nullif(trim(regexp_replace(regexp_replace({no_flair}, '[^a-z'' -]', '', 'g'), "
            rf"'\s+', ' ', 'g')), '')")


con.execute(f"""
create table parsed as
select *,
  -- "Howard, Maureen" and "Maureen Howard" in full_name when the name columns are empty
  case when first_name is null and last_name is null and full_name is not null then
    case when full_name like '%,%' then trim(split_part(full_name, ',', 2))
         else split_part(trim(full_name), ' ', 1) end
    else first_name end as fn0,
  case when first_name is null and last_name is null and full_name is not null then
    case when full_name like '%,%' then trim(split_part(full_name, ',', 1))
         else nullif(trim(regexp_replace(trim(full_name), '^\\S+\\s*', '')), '') end
    else split_part(last_name, ',', 1) end as ln0,
  lower(trim(email)) as em
from raw
""")
con.execute(f"""
create table prep as
with b as (
  select record_id,
    {clean_name('fn0')} as first_name,
    {clean_name('ln0')} as last_name,
    nullif(em, '') as email,
    nullif(split_part(em, '@', 1), '') as email_local,
    case when split_part(em, '@', 2) not in {FREEMAIL} then nullif(split_part(em, '@', 2), '') end as email_domain,
    nullif(regexp_extract(lower(coalesce(company_domain, website,
           case when split_part(em, '@', 2) not in {FREEMAIL} then split_part(em, '@', 2) end)),
           '^(?:https?://)?(?:www\\.)?([^/]+)', 1), '') as domain,
    nullif(trim(regexp_replace(regexp_replace(regexp_replace(regexp_replace(
           strip_accents(lower(company_name)), '{TLD}', ''), '[^a-z0-9 ]', ' ', 'g'),
           '{LEGAL}', ' ', 'g'), '\\s+', ' ', 'g')), '') as company_norm,
    nullif(right(regexp_replace(regexp_replace(phone, '\\s*(ext\\.?|x)\\s*\\d+$', ''), '[^0-9]', '', 'g'), 9), '') as phone_key,
    nullif(regexp_extract(lower(linkedin_url), 'linkedin\\.com/in/([^/?]+)', 1), '') as li_slug,
    nullif(lower(trim(title)), '') as title,
    nullif(trim(regexp_replace(strip_accents(lower(coalesce(city, split_part(location, ',', 1)))),
           '^greater |( metropolitan area| metropolitan region| bay area| area| region)$', '', 'g')), '') as city
  from parsed)
-- A number that rows of two different surnames carry is a shared line (a switchboard):
-- matching on it says little, and Fellegi-Sunter cannot learn that from one level, since
-- colleagues share employer and switchboard together. (A typo never touches the first two
-- letters here often enough to matter.)
, lines as (
  select phone_key, count(distinct left(last_name, 2)) >= 2 as shared
  from b where phone_key is not null group by phone_key)
select b.*,
  lines.shared as phone_shared,
  -- the formal names a first name may stand for ("alex": alexander, alexandra, ...)
  case when b.first_name is not null then
    coalesce((select list(distinct k.formal) from keys k where k.name = b.first_name), [b.first_name])
  end as first_keys,
  case when b.first_name is not null and b.last_name is not null
       then b.first_name || ' ' || b.last_name end as full_name_concat
from b left join lines using (phone_key)
""")
n = con.execute("select count(*) from prep").fetchall()[0][0]
T["load_normalise"] = time.perf_counter() - t0
print(f"records={n} load+normalise {T['load_normalise']:.1f}s", flush=True)

name = cl.CustomComparison(output_column_name="name", comparison_levels=[
    cll.And(cll.NullLevel("first_name"), cll.NullLevel("last_name")),
    cll.ExactMatchLevel("full_name_concat").configure(tf_adjustment_column="full_name_concat"),
    cll.ColumnsReversedLevel("first_name", "last_name", symmetrical=True),
    cll.And(cll.ArrayIntersectLevel("first_keys", 1), cll.ExactMatchLevel("last_name")).configure(
        label_for_charts="nickname and surname"),
    cll.And(cll.JaroWinklerLevel("first_name", 0.92), cll.JaroWinklerLevel("last_name", 0.92)),
    cll.And(cll.JaroWinklerLevel("first_name", 0.88), cll.JaroWinklerLevel("last_name", 0.88)),
    cll.ExactMatchLevel("last_name").configure(tf_adjustment_column="last_name"),
    cll.ExactMatchLevel("first_name").configure(tf_adjustment_column="first_name"),
    cll.ElseLevel(),
])
email = cl.CustomComparison(output_column_name="email", comparison_levels=[
    cll.NullLevel("email"),
    cll.ExactMatchLevel("email"),
    # The same local part with a personal address on one side is usually the same person.
    {"sql_condition": "email_local_l = email_local_r AND (email_domain_l IS NULL OR email_domain_r IS NULL)",
     "label_for_charts": "same local part, one personal address"},
    # A local part within one edit at the same employer is a typo. The same local part at two
    # employers is left to the other comparisons: it is made from the name (first.last), so
    # it repeats the name comparison's evidence, for a namesake as much as for a mover.
    {"sql_condition": "damerau_levenshtein(email_local_l, email_local_r) <= 1 AND "
                      "(email_domain_l = email_domain_r OR email_domain_l IS NULL OR email_domain_r IS NULL)",
     "label_for_charts": "local part within one edit, same employer"},
    cll.ElseLevel(),
])
# Employer and phone in one comparison: colleagues share both the employer and its
# switchboard, so counting them as two independent comparisons would count one fact twice.
workplace = cl.CustomComparison(output_column_name="workplace", comparison_levels=[
    {"sql_condition": "(domain_l IS NULL OR domain_r IS NULL) AND (company_norm_l IS NULL OR company_norm_r IS NULL)"
                      " AND (phone_key_l IS NULL OR phone_key_r IS NULL)",
     "label_for_charts": "null", "is_null_level": True},
    {"sql_condition": "phone_key_l = phone_key_r AND NOT phone_shared_l",
     "label_for_charts": "same direct line", "tf_adjustment_column": "phone_key"},
    {"sql_condition": "domain_l = domain_r", "label_for_charts": "same domain", "tf_adjustment_column": "domain"},
    {"sql_condition": "email_domain_l = email_domain_r", "label_for_charts": "same e-mail domain"},
    {"sql_condition": "company_norm_l = company_norm_r", "label_for_charts": "same company",
     "tf_adjustment_column": "company_norm"},
    {"sql_condition": "phone_key_l = phone_key_r", "label_for_charts": "same shared line"},
    {"sql_condition": "jaro_winkler_similarity(company_norm_l, company_norm_r) >= 0.88 OR "
                      "split_part(company_norm_l, ' ', 1) = split_part(company_norm_r, ' ', 1)",
     "label_for_charts": "similar company"},
    cll.ElseLevel(),
])
settings = SettingsCreator(
    unique_id_column_name="record_id",
    link_type="dedupe_only",
    blocking_rules_to_generate_predictions=[
        block_on("email"),
        block_on("li_slug"),
        block_on("phone_key"),
        block_on("last_name", "domain"),
        block_on("first_name", "domain"),
        block_on("first_name", "last_name"),
        block_on("last_name", "company_norm"),
        "l.first_name = r.last_name AND l.last_name = r.first_name",
    ],
    comparisons=[
        name,
        email,
        workplace,
        cl.ExactMatch("li_slug"),
        cl.JaroWinklerAtThresholds("title", [0.9]),
        cl.ExactMatch("city").configure(term_frequency_adjustments=True),
    ],
    retain_intermediate_calculation_columns=False,
    retain_matching_columns=False,
)
db_api = DuckDBAPI(connection=con)
linker = Linker(db_api.register("prep"), settings, log_level="WARNING")
t = time.perf_counter()
linker.training.estimate_probability_two_random_records_match(
    [block_on("email"), block_on("li_slug")], recall=0.7)
linker.training.estimate_u_using_random_sampling(max_pairs=args.u_max_pairs, seed=1)
for rule in (block_on("li_slug"), block_on("email"), block_on("first_name", "last_name")):
    linker.training.estimate_parameters_using_expectation_maximisation(
        rule, estimate_without_term_frequencies=True)
T["train"] = time.perf_counter() - t
t = time.perf_counter()
pred = linker.inference.predict(threshold_match_probability=0.05)
T["predict"] = time.perf_counter() - t
t = time.perf_counter()
clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
    pred, threshold_match_probability=args.threshold)
clusters.as_pandas_dataframe()[["record_id", "cluster_id"]].to_csv(args.out, index=False)
T["cluster_and_write"] = time.perf_counter() - t
T["pipeline"] = time.perf_counter() - t0
print(" ".join(f"{k}={v:.2f}s" for k, v in T.items()))
