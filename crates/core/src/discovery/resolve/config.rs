//! The comparison setup as data: which fields to build from which input columns, how to
//! compare them, how to block, and the thresholds. A setup is a TOML document read strictly
//! ([`ResolveConfig::parse`]: unknown keys are errors that name the key); [`ResolveConfig::
//! b2b_contacts`], [`ResolveConfig::b2b_companies`] and [`ResolveConfig::febrl`] are the
//! built-in setups, written in the same TOML (see `presets/`).
//!
//! ```toml
//! mode = "dedupe"            # or "link": only pairs across two data sets
//! threshold = 0.9            # match probability at or above which two records link
//! veto_weight = -10.0        # a pair weighing this little never ends up in one cluster
//! veto_probability = 3e-5    # nor one the model is this sure is two
//!
//! [[fields]]                 # a field is the first non-empty value of its sources
//! name = "first_name"
//! from = [{ column = "first_name", prepare = "name" }, { column = "full_name", prepare = "given_of_full" }]
//!
//! [[comparisons]]            # levels are tried in order; none that apply → "else"
//! name = "first_name"
//! field = "first_name"
//! tf_adjust = true           # an exact match on a rare value weighs more than on a common one
//! # identifier = true        # the field names one entity: agreeing on it outweighs the rest
//! levels = [{ kind = "exact" }, { kind = "jaro_winkler", min = 0.92 }]
//!
//! blocking = [["email"], ["first_name", "last_name"]]
//! ```

use serde::{Deserialize, Serialize};

/// How records are paired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Every record may match every other record of one data set.
    #[default]
    Dedupe,
    /// Two data sets, each without duplicates: only pairs across them are compared.
    Link,
}

/// A complete comparison setup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResolveConfig {
    #[serde(default)]
    pub mode: Mode,
    /// The fields records are compared on, built from input columns.
    pub fields: Vec<FieldSpec>,
    /// One comparison per independent piece of evidence. Fellegi–Sunter multiplies their
    /// Bayes factors, so evidence that is really one fact (a company's domain and its name)
    /// belongs in one comparison with several levels, not in two comparisons.
    pub comparisons: Vec<ComparisonSpec>,
    /// Blocking rules: each is a list of field names; two records are a candidate pair when
    /// some rule's fields are all present and equal in both. The union of the rules is
    /// compared, each pair once.
    pub blocking: Vec<BlockingRule>,
    /// Match probability at or above which a pair is a link (0–1).
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// A scored pair whose total match weight (log2 Bayes factor, before the prior) is at
    /// or below this is a contradiction: clustering never puts its two records in one
    /// cluster, whatever chain of links would join them.
    #[serde(default = "default_veto_weight")]
    pub veto_weight: f64,
    /// A scored pair whose match probability is at or below this is a contradiction too:
    /// the model is that sure the two are two people. Unlike `veto_weight` it reads the
    /// evidence against the prior, which falls as the table grows: two namesakes at two
    /// companies with two profiles weigh more than nothing, and still are two people in a
    /// table of 200,000, where a row with nothing but the name would chain them. `None`:
    /// only `veto_weight`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub veto_probability: Option<f64>,
    /// A block (records sharing one rule's key) larger than this is skipped: such keys are
    /// too common to tell people apart (a shared switchboard number) and their pairs grow
    /// quadratically. Other rules still pair those records.
    #[serde(default = "default_max_block")]
    pub max_block_size: usize,
    /// Parameter estimation.
    #[serde(default)]
    pub training: TrainingSpec,
    /// The records' person names, for setups that resolve people: records whose names
    /// clearly disagree are never put in one cluster on other evidence, and a value of a
    /// [`ComparisonSpec::personal`] comparison held by such records is shared, not
    /// personal. `None` for setups that do not resolve people by name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<NamesSpec>,
}

/// Where a record's person name is: two fields, the given and the family name. Prepare
/// them from the name columns, and from an address only where it spells the name with a
/// separator (`email_given`, `email_family`: `jane.doe@`); a name guessed from `jdoe@` is
/// not one the record states.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamesSpec {
    pub given: String,
    pub family: String,
}

/// A blocking rule: the fields two records must share, written as a list of field names
/// (`["last_name", "domain"]`) or as a table with its own block-size limit
/// (`{ fields = ["phone"], max_block_size = 20 }`: a number shared by more records is a
/// switchboard, not a person's line) and, for a rule on one field, a tolerance
/// (`{ fields = ["name"], max_block_size = 50, edits = 1 }`: names within one typo of each
/// other, "jon smith" and "john smith", held by at most 50 records each).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum BlockingRule {
    Fields(Vec<String>),
    Limited {
        fields: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        max_block_size: Option<usize>,
        /// 0: equal values; 1: values within one edit (a letter added, dropped, changed,
        /// or two neighbours swapped).
        #[serde(default, skip_serializing_if = "is_zero")]
        edits: u8,
    },
}

fn is_zero(n: &u8) -> bool {
    *n == 0
}

impl BlockingRule {
    pub fn fields(&self) -> &[String] {
        match self {
            BlockingRule::Fields(fields) | BlockingRule::Limited { fields, .. } => fields,
        }
    }

    /// This rule's block-size limit, or the setup's.
    pub fn max_block_size(&self, default: usize) -> usize {
        match self {
            BlockingRule::Limited {
                max_block_size: Some(max),
                ..
            } => *max,
            _ => default,
        }
    }

    /// How many edits apart the values of records this rule pairs may be.
    pub fn edits(&self) -> u8 {
        match self {
            BlockingRule::Fields(_) => 0,
            BlockingRule::Limited { edits, .. } => *edits,
        }
    }
}

/// How m and u are estimated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainingSpec {
    /// Random record pairs sampled to estimate u (the level frequencies among non-matches):
    /// at least this many, and `u_sample_pairs_per_record` for every record.
    pub u_sample_pairs: usize,
    /// More random pairs for larger tables. Two random records work at one company about
    /// once in as many pairs as there are companies, and companies grow with the table: a
    /// fixed sample of a million records saw no random pair of colleagues on some levels,
    /// and an unseen level's u is a guess that made colleagues look like one person.
    pub u_sample_pairs_per_record: f64,
    /// Seed of that sample: the same data and seed give the same model.
    pub seed: u64,
    /// Most EM iterations per training round.
    pub max_iterations: usize,
    /// The rules whose pairs EM trains on, one round each (field lists, like blocking
    /// rules; the candidate pairs that agree on a rule are its round). Rules on strong
    /// identifiers give the cleanest rounds; a rule on names alone lets namesakes pass for
    /// matches. Empty: the blocking rules.
    pub rules: Vec<Vec<String>>,
    /// Rules whose pairs are matches with next to no doubt (field lists, like blocking
    /// rules: the same e-mail address, the same full name at the same domain). A value
    /// that people with contradicting names share (see [`ComparisonSpec::personal`]) does
    /// not count. Their pairs are a floor under the number of matches that needs no
    /// model, against which the trained model's expectation is checked
    /// (`max_matches_per_sure_pair`). Empty: no such check.
    pub deterministic: Vec<Vec<String>>,
    /// A trained model that expects more matches among the candidates than this many
    /// times the deterministic rules' pairs (plus one per hundred records) has settled on
    /// a wrong world, where records that only look alike match ("same company, same
    /// person"): it is not used.
    pub max_matches_per_sure_pair: f64,
}

impl Default for TrainingSpec {
    fn default() -> Self {
        TrainingSpec {
            u_sample_pairs: 300_000,
            u_sample_pairs_per_record: 3.0,
            seed: 1,
            max_iterations: 100,
            rules: Vec::new(),
            deterministic: Vec::new(),
            max_matches_per_sure_pair: 10.0,
        }
    }
}

fn default_threshold() -> f64 {
    0.9
}
fn default_veto_weight() -> f64 {
    -12.0
}
fn default_max_block() -> usize {
    2_000
}

/// One field: the first non-empty prepared value of its sources, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub name: String,
    pub from: Vec<SourceSpec>,
}

/// One input column and how its values are prepared for matching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    pub column: String,
    /// Further columns whose values are appended, space-separated, before preparing
    /// (`column = "first_name"`, `with = ["last_name"]` reads a full name).
    #[serde(default)]
    pub with: Vec<String>,
    #[serde(default)]
    pub prepare: Prepare,
}

/// How a raw value becomes a comparable one. A value that does not parse is missing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Prepare {
    /// Trimmed, nothing else.
    Raw,
    /// Case, diacritics and punctuation folded, spaces collapsed.
    #[default]
    Text,
    /// A given or family name: decorations dropped, folded ("Chen, MBA" → "chen").
    Name,
    /// A full name, folded for matching ("Dr. Jürgen MÜLLER, PhD" → "jurgen muller").
    Person,
    /// A full name's words in alphabetical order ("Kirby Chloe" and "Chloe Kirby" →
    /// "chloe kirby"): a blocking key that pairs a name entered the wrong way round.
    PersonWords,
    /// The given name of a full name.
    GivenOfFull,
    /// The family name of a full name.
    FamilyOfFull,
    /// The first word of the company-name match key, at least 3 letters ("Iron Point
    /// Platforms" → `iron`): a blocking key that tolerates shortened and misspelled tails.
    CompanyWord,
    /// A normalised e-mail address.
    Email,
    /// The local part of an e-mail address without `+tag`.
    EmailLocal,
    /// The registrable domain of a website, host or e-mail address; an address at a
    /// personal provider (gmail.com …) gives none, as it says nothing about the employer.
    Domain,
    /// The company-name match key (legal forms, case, punctuation folded).
    Company,
    /// The last 9 digits of a phone number: the same line typed with or without country
    /// code, trunk prefix or formatting.
    PhoneDigits,
    /// The slug of a LinkedIn profile URL.
    Linkedin,
    /// An ISO 3166-1 alpha-2 country code.
    Country,
    /// A city: the first part of a location ("Greater Boston Area, MA" → "boston"), folded.
    City,
    /// The digits only.
    Digits,
    /// The first letter of a name, folded; of an e-mail address, the first letter of its
    /// local part (`jane.doe@…`, `jdoe@…` → `j`). A blocking key that pairs a record known
    /// only by its address with the named records at the same company.
    Initial,
    /// The given name spelled in an address's local part, when the part has a separator
    /// (`jane.doe@`, `jane_doe@`, `jane-doe@` → `jane`).
    EmailGiven,
    /// The family name spelled in an address's local part, as for `email_given`.
    EmailFamily,
    /// The full name spelled in an address's local part (`jane.doe@` → `jane doe`), as
    /// for `email_given`.
    EmailPerson,
}

/// One comparison: an ordered list of levels over one field (or several).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ComparisonSpec {
    pub name: String,
    /// The field the levels compare unless a level names another.
    pub field: String,
    /// From the strongest agreement down; the first level that holds is the pair's level.
    /// A level whose field is missing in either record is skipped; when every level is
    /// skipped the comparison is null and adds no weight.
    pub levels: Vec<LevelSpec>,
    /// Term-frequency adjustment of the exact level on `field`: agreeing on a value held by
    /// 1 % of records is weaker evidence than agreeing on one held by 0.01 %.
    #[serde(default)]
    pub tf_adjust: bool,
    /// The field names one entity (a LinkedIn profile URL, a tax number): two different
    /// entities never share a value, so agreeing on it is strong evidence whatever else
    /// differs. The exact level's u is then not estimated from random pairs (where one
    /// sampled duplicate makes a unique value look shared) but set so that at most one
    /// pair of different records in the table would agree by a data error.
    #[serde(default)]
    pub identifier: bool,
    /// The field identifies one person when it identifies anyone (a phone number, an
    /// e-mail address), but companies share some values: the switchboard number, `sales@`.
    /// A value held by records whose names contradict (see [`NamesSpec`]) is read as
    /// shared: agreeing on it is no evidence for the person (the level is null, and the
    /// explanation says "shared"). Needs `names`. An identifier is read so too.
    #[serde(default)]
    pub personal: bool,
}

/// A comparison level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LevelSpec {
    /// Equal values.
    Exact {
        #[serde(default)]
        field: Option<String>,
    },
    /// Jaro–Winkler similarity at least `min` (0–1).
    JaroWinkler {
        min: f64,
        #[serde(default)]
        field: Option<String>,
    },
    /// Edit distance (insertions, deletions, substitutions and adjacent transpositions) at
    /// most `max`.
    Levenshtein {
        max: u32,
        #[serde(default)]
        field: Option<String>,
    },
    /// Jaccard overlap of the space-separated words at least `min` (0–1).
    TokenOverlap {
        min: f64,
        #[serde(default)]
        field: Option<String>,
    },
    /// One value is the other's leading words ("golden pine" of "golden pine cloud"): a
    /// company named with and without its descriptor, a name without its middle part.
    LeadingWords {
        #[serde(default)]
        field: Option<String>,
    },
    /// Both numbers, at most `max` apart.
    Numeric {
        max: f64,
        #[serde(default)]
        field: Option<String>,
    },
    /// Both dates (`YYYYMMDD` or `YYYY-MM-DD`), at most `max_days` apart.
    Date {
        max_days: u32,
        #[serde(default)]
        field: Option<String>,
    },
    /// The comparison's field and `field` are swapped between the two records (given name
    /// and surname entered the wrong way round).
    Swapped { field: String },
    /// One record's e-mail local part (`field`, prepared with `email_local`) is spelled
    /// from the other record's `given` and `family` names in one of the patterns companies
    /// use: `jane.doe`, `janedoe`, `jane_doe`, `jdoe`, `janed`, `jane`, `doe.jane`, `doej`
    /// (separators, trailing digits and German transliteration, `ü` → `ue`, ignored). It
    /// finds the person a CRM knows only by an address without a separator (`jdoe@acme.com`),
    /// whose name no preparation can read from the address alone.
    NameInEmail {
        field: String,
        given: String,
        family: String,
    },
    /// One record's domain (`field`, or the comparison's) spells the other record's
    /// `company` name: `kitepoint.ie` and "Kitepoint Systems", `getnovaworks.com` and
    /// "Novaworks". Pairs a list that knows only the company's name (Sales Navigator) with
    /// one that knows only its domain (an e-mail address).
    DomainSpellsCompany {
        #[serde(default)]
        field: Option<String>,
        company: String,
    },
    /// The two records' names are one name written with a nickname, an initial, a typo
    /// or another transliteration ("Bob Smith" and "Robert Smith", "J. Doe" and "Jane
    /// Doe", "Juergen Mueller" and "Jürgen Müller"), the given name in `given` and the
    /// family name in `family` (the setup's name fields). The nicknames are listed in
    /// the engine with their source.
    Nickname { given: String, family: String },
    /// One part of the two names is equal and the other one letter off (a letter added,
    /// dropped, changed, or two swapped), in any length: "gry black" and "gary black",
    /// "dung tran" and "dung tan". Short names one letter apart are often two names ("lu",
    /// "luo"), so `nickname` does not take them; as a level of its own, the data says how
    /// much such a pair is worth.
    NearName { given: String, family: String },
    /// Both records state a given and a family name (`given`, `family`), and they are not
    /// one name as `nickname` reads names. Placed after `nickname`, it takes every pair of
    /// named records that no level above matched, so that the levels after it (a
    /// similarity of whole names) only judge records whose name is not split: "xiaoyu lu"
    /// and "xiaoyu luo" are two names, however alike as strings.
    NamesDiffer { given: String, family: String },
}

impl LevelSpec {
    /// The field this level reads, if it names one other than the comparison's.
    pub fn field(&self) -> Option<&str> {
        match self {
            LevelSpec::Exact { field }
            | LevelSpec::JaroWinkler { field, .. }
            | LevelSpec::Levenshtein { field, .. }
            | LevelSpec::TokenOverlap { field, .. }
            | LevelSpec::LeadingWords { field }
            | LevelSpec::DomainSpellsCompany { field, .. }
            | LevelSpec::Numeric { field, .. }
            | LevelSpec::Date { field, .. } => field.as_deref(),
            LevelSpec::Swapped { field } | LevelSpec::NameInEmail { field, .. } => Some(field),
            LevelSpec::Nickname { .. }
            | LevelSpec::NearName { .. }
            | LevelSpec::NamesDiffer { .. } => None,
        }
    }

    /// The fields this level reads besides its own and the comparison's.
    pub fn other_fields(&self) -> Vec<&str> {
        match self {
            LevelSpec::NameInEmail { given, family, .. }
            | LevelSpec::Nickname { given, family } => {
                vec![given, family]
            }
            LevelSpec::DomainSpellsCompany { company, .. } => vec![company],
            _ => Vec::new(),
        }
    }

    /// A short label for explanations: `exact`, `jaro_winkler>=0.92`, `company: exact`.
    pub fn label(&self, comparison_field: &str) -> String {
        let kind = match self {
            LevelSpec::Exact { .. } => "exact".to_string(),
            LevelSpec::JaroWinkler { min, .. } => format!("jaro_winkler>={min}"),
            LevelSpec::Levenshtein { max, .. } => format!("edits<={max}"),
            LevelSpec::TokenOverlap { min, .. } => format!("word_overlap>={min}"),
            LevelSpec::LeadingWords { .. } => "leading_words".to_string(),
            LevelSpec::Numeric { max, .. } => format!("within {max}"),
            LevelSpec::Date { max_days, .. } => format!("within {max_days} days"),
            LevelSpec::Swapped { field } => return format!("swapped with {field}"),
            LevelSpec::NameInEmail { field, .. } => return format!("{field} fits the name"),
            LevelSpec::DomainSpellsCompany { company, .. } => format!("spells {company}"),
            LevelSpec::Nickname { .. } => return "nickname or initial".to_string(),
            LevelSpec::NearName { .. } => return "a name part one letter off".to_string(),
            LevelSpec::NamesDiffer { .. } => return "names differ".to_string(),
        };
        match self.field() {
            Some(f) if f != comparison_field => format!("{f} {kind}"),
            _ => kind,
        }
    }
}

/// Checks one level, naming the key of what is wrong.
fn check_level(
    level: &LevelSpec,
    key: &str,
    known: &dyn Fn(&str) -> bool,
) -> Result<(), ConfigError> {
    let invalid = |key: String, message: &str| {
        Err(ConfigError::Invalid {
            key,
            message: message.to_string(),
        })
    };
    if level.field().is_some_and(|f| !known(f)) {
        return invalid(format!("{key}.field"), "no field of that name");
    }
    let unit = |x: f64| (0.0..=1.0).contains(&x);
    match level {
        LevelSpec::NameInEmail { given, family, .. }
        | LevelSpec::Nickname { given, family }
        | LevelSpec::NearName { given, family }
        | LevelSpec::NamesDiffer { given, family } => {
            if !known(given) {
                return invalid(format!("{key}.given"), "no field of that name");
            }
            if !known(family) {
                return invalid(format!("{key}.family"), "no field of that name");
            }
        }
        LevelSpec::DomainSpellsCompany { company, .. } if !known(company) => {
            return invalid(format!("{key}.company"), "no field of that name");
        }
        LevelSpec::JaroWinkler { min, .. } | LevelSpec::TokenOverlap { min, .. } if !unit(*min) => {
            return invalid(format!("{key}.min"), "must be between 0 and 1");
        }
        LevelSpec::Numeric { max, .. } if max.is_nan() || *max < 0.0 => {
            return invalid(format!("{key}.max"), "must be 0 or more");
        }
        _ => {}
    }
    Ok(())
}

/// A setup that cannot be used: what is wrong and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("comparison setup: {0}")]
    Toml(String),
    #[error("comparison setup: key `{key}`: {message}")]
    Invalid { key: String, message: String },
}

impl ResolveConfig {
    /// Reads a setup from TOML and checks it ([`ResolveConfig::check`]).
    pub fn parse(text: &str) -> Result<ResolveConfig, ConfigError> {
        let config: ResolveConfig =
            toml::from_str(text).map_err(|e| ConfigError::Toml(e.to_string()))?;
        config.check()?;
        Ok(config)
    }

    /// The built-in setup for contacts (people at companies) from B2B exports.
    pub fn b2b_contacts() -> ResolveConfig {
        ResolveConfig::parse(include_str!("presets/b2b_contacts.toml"))
            .expect("the built-in contacts setup is valid")
    }

    /// The built-in setup for companies from B2B exports.
    pub fn b2b_companies() -> ResolveConfig {
        ResolveConfig::parse(include_str!("presets/b2b_companies.toml"))
            .expect("the built-in companies setup is valid")
    }

    /// The setup for the FEBRL person-record benchmarks (given_name, surname, address,
    /// date of birth, social security id).
    pub fn febrl() -> ResolveConfig {
        ResolveConfig::parse(include_str!("presets/febrl.toml"))
            .expect("the built-in FEBRL setup is valid")
    }

    /// A built-in setup by name: `contacts`, `companies` or `febrl`.
    pub fn preset(name: &str) -> Option<ResolveConfig> {
        match name {
            "contacts" | "b2b_contacts" => Some(ResolveConfig::b2b_contacts()),
            "companies" | "b2b_companies" => Some(ResolveConfig::b2b_companies()),
            "febrl" => Some(ResolveConfig::febrl()),
            _ => None,
        }
    }

    /// Checks what the types cannot: names refer to fields that exist, thresholds are in
    /// range, there are at most 16 comparisons of at most 14 levels each (a comparison
    /// vector packs into 64 bits).
    pub fn check(&self) -> Result<(), ConfigError> {
        let invalid = |key: String, message: &str| {
            Err(ConfigError::Invalid {
                key,
                message: message.to_string(),
            })
        };
        let known = |name: &str| self.fields.iter().any(|f| f.name == name);
        if self.fields.is_empty() {
            return invalid("fields".into(), "at least one field is needed");
        }
        for (i, f) in self.fields.iter().enumerate() {
            if f.from.is_empty() {
                return invalid(format!("fields[{i}].from"), "at least one column is needed");
            }
            if self.fields[..i].iter().any(|g| g.name == f.name) {
                return invalid(format!("fields[{i}].name"), "field names must be unique");
            }
        }
        if self.comparisons.is_empty() || self.comparisons.len() > 16 {
            return invalid("comparisons".into(), "1 to 16 comparisons are needed");
        }
        for (i, c) in self.comparisons.iter().enumerate() {
            if !known(&c.field) {
                return invalid(format!("comparisons[{i}].field"), "no field of that name");
            }
            if c.levels.is_empty() || c.levels.len() > 14 {
                return invalid(
                    format!("comparisons[{i}].levels"),
                    "1 to 14 levels are needed",
                );
            }
            for (j, level) in c.levels.iter().enumerate() {
                check_level(level, &format!("comparisons[{i}].levels[{j}]"), &known)?;
            }
        }
        if let Some(names) = &self.names {
            if !known(&names.given) {
                return invalid("names.given".into(), "no field of that name");
            }
            if !known(&names.family) {
                return invalid("names.family".into(), "no field of that name");
            }
        }
        if let Some(i) = self.comparisons.iter().position(|c| c.personal)
            && self.names.is_none()
        {
            return invalid(
                format!("comparisons[{i}].personal"),
                "a personal comparison needs the setup's `names` (given and family fields)",
            );
        }
        if self.blocking.is_empty() {
            return invalid("blocking".into(), "at least one blocking rule is needed");
        }
        for (i, rule) in self.blocking.iter().enumerate() {
            if rule.max_block_size(self.max_block_size) < 2 {
                return invalid(
                    format!("blocking[{i}].max_block_size"),
                    "must be at least 2",
                );
            }
            if rule.edits() > 1 {
                return invalid(format!("blocking[{i}].edits"), "must be 0 or 1");
            }
            if rule.edits() > 0 && rule.fields().len() != 1 {
                return invalid(
                    format!("blocking[{i}].edits"),
                    "a rule with edits compares exactly one field",
                );
            }
            let rule = rule.fields();
            if rule.is_empty() {
                return invalid(format!("blocking[{i}]"), "a rule needs at least one field");
            }
            if let Some(f) = rule.iter().find(|f| !known(f)) {
                return invalid(format!("blocking[{i}]"), &format!("no field named `{f}`"));
            }
        }
        if self.training.rules.is_empty() && self.blocking.len() > 16 {
            return invalid(
                "training.rules".into(),
                "training rounds default to the blocking rules, at most 16: list the rounds",
            );
        }
        for (key, rules) in [
            ("rules", &self.training.rules),
            ("deterministic", &self.training.deterministic),
        ] {
            if rules.len() > 16 {
                return invalid(format!("training.{key}"), "at most 16 rules");
            }
            for (i, rule) in rules.iter().enumerate() {
                if rule.is_empty() {
                    return invalid(
                        format!("training.{key}[{i}]"),
                        "a rule needs at least one field",
                    );
                }
                if let Some(f) = rule.iter().find(|f| !known(f)) {
                    return invalid(
                        format!("training.{key}[{i}]"),
                        &format!("no field named `{f}`"),
                    );
                }
            }
        }
        if !(self.threshold > 0.0 && self.threshold < 1.0) {
            return invalid("threshold".into(), "must be between 0 and 1, exclusive");
        }
        if let Some(p) = self.veto_probability
            && !(p >= 0.0 && p < self.threshold)
        {
            return invalid(
                "veto_probability".into(),
                "must be at least 0 and below the threshold",
            );
        }
        if self.max_block_size < 2 {
            return invalid("max_block_size".into(), "must be at least 2");
        }
        if self.training.u_sample_pairs == 0 {
            return invalid("training.u_sample_pairs".into(), "must be at least 1");
        }
        let per_record = self.training.u_sample_pairs_per_record;
        if !(0.0..=1000.0).contains(&per_record) {
            return invalid(
                "training.u_sample_pairs_per_record".into(),
                "must be between 0 and 1000",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_setups_are_valid() {
        for name in ["contacts", "companies", "febrl"] {
            let config = ResolveConfig::preset(name).unwrap();
            assert!(config.check().is_ok(), "{name}");
        }
        assert!(ResolveConfig::preset("nope").is_none());
    }

    #[test]
    fn unknown_keys_and_bad_references_are_named() {
        let base = r#"
            blocking = [["email"]]
            [[fields]]
            name = "email"
            from = [{ column = "email", prepare = "email" }]
            [[comparisons]]
            name = "email"
            field = "email"
            levels = [{ kind = "exact" }]
        "#;
        assert!(ResolveConfig::parse(base).is_ok());

        let typo = base.replace("prepare = \"email\"", "prepair = \"email\"");
        let err = ResolveConfig::parse(&typo).unwrap_err().to_string();
        assert!(err.contains("prepair"), "{err}");

        let unknown_field = base.replace(r#"blocking = [["email"]]"#, r#"blocking = [["phone"]]"#);
        assert_eq!(
            ResolveConfig::parse(&unknown_field).unwrap_err(),
            ConfigError::Invalid {
                key: "blocking[0]".into(),
                message: "no field named `phone`".into()
            }
        );

        let invalid = |text: &str| match ResolveConfig::parse(text) {
            Err(ConfigError::Invalid { key, .. }) => key,
            other => panic!("{other:?}"),
        };
        let two_edits = base.replace(
            r#"blocking = [["email"]]"#,
            r#"blocking = [{ fields = ["email"], edits = 2 }]"#,
        );
        assert_eq!(invalid(&two_edits), "blocking[0].edits");
        let edits_on_two = base.replace(
            r#"blocking = [["email"]]"#,
            r#"blocking = [{ fields = ["email", "email"], edits = 1 }]"#,
        );
        assert_eq!(invalid(&edits_on_two), "blocking[0].edits");
        let bad_company = base.replace(
            r#"levels = [{ kind = "exact" }]"#,
            r#"levels = [{ kind = "domain_spells_company", company = "firm" }]"#,
        );
        assert_eq!(invalid(&bad_company), "comparisons[0].levels[0].company");

        let bad_threshold = format!("threshold = 1.5\n{base}");
        let err = ResolveConfig::parse(&bad_threshold)
            .unwrap_err()
            .to_string();
        assert!(err.contains("`threshold`"), "{err}");
    }
}
