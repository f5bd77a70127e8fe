//! Which column of an export holds which field. Each vendor names its columns its own way
//! ("Person Linkedin Url", "Company / Account", "Country/Region"), and export tools for
//! the same vendor differ again, so a preset lists, per field, the column names it accepts
//! in order of preference. Names are compared loosely: case, spaces and punctuation are
//! ignored ("Company Name", "company_name" and "companyName" are one name).
//!
//! Without a preset or a mapping, [`detect`] picks the preset whose distinctive columns the
//! header has ("Apollo Contact Id", "Sales Navigator URL", "Record ID" with "Lifecycle
//! Stage", "Lead ID"…), else the generic snake_case names. Every preset also accepts the
//! generic names for the fields its own names leave unmapped.

use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// The fields live in core, where the facts they name are read; re-exported here, where
/// columns are mapped to them.
pub use leadgate_core::discovery::field::Field;

use super::mapping::Mapping;

/// How the columns are named.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Columns {
    /// The preset whose distinctive columns the header has, else the generic names.
    #[default]
    Auto,
    Preset(Preset),
    Mapping(Mapping),
}

/// A vendor's export layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preset {
    /// Apollo's people (contacts) export.
    Apollo,
    /// LinkedIn Sales Navigator lead lists, as the usual export tools write them (Evaboot,
    /// PhantomBuster, Dux-Soup, Waalaxy and similar).
    SalesNavigator,
    /// HubSpot's contacts export.
    HubSpot,
    /// A Salesforce leads report (report labels) or a Data Loader export (API names).
    Salesforce,
    /// The snake_case names: first_name, last_name, full_name, email, company_name, …
    Generic,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::Apollo,
        Preset::SalesNavigator,
        Preset::HubSpot,
        Preset::Salesforce,
        Preset::Generic,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Preset::Apollo => "apollo",
            Preset::SalesNavigator => "salesnav",
            Preset::HubSpot => "hubspot",
            Preset::Salesforce => "salesforce",
            Preset::Generic => "generic",
        }
    }

    /// The column names this preset accepts for each field, most preferred first.
    fn aliases(self) -> &'static [(Field, &'static [&'static str])] {
        match self {
            Preset::Apollo => APOLLO,
            Preset::SalesNavigator => SALES_NAVIGATOR,
            Preset::HubSpot => HUBSPOT,
            Preset::Salesforce => SALESFORCE,
            Preset::Generic => GENERIC,
        }
    }

    /// Columns only this vendor's exports have; detection counts them.
    fn distinctive(self) -> &'static [&'static str] {
        match self {
            Preset::Apollo => &[
                "Apollo Contact Id",
                "Apollo Account Id",
                "Person Linkedin Url",
                "Company Name for Emails",
                "# Employees",
                "Primary Email Last Verified At",
            ],
            Preset::SalesNavigator => &[
                "Sales Navigator URL",
                "Sales Navigator Profile URL",
                "Sales Navigator Lead URL",
                "Profile URL",
                "Company Headcount",
                "Company Employee Count Range",
                "Date Added",
                "defaultProfileUrl",
                "linkedInProfileUrl",
                "vmid",
            ],
            Preset::HubSpot => &[
                "Record ID",
                "Lifecycle Stage",
                "Contact owner",
                "Country/Region",
                "State/Region",
                "Website URL",
                "Phone Number",
                "Associated Company",
                "Mobile Phone Number",
            ],
            Preset::Salesforce => &[
                "Lead ID",
                "Company / Account",
                "Lead Owner",
                "Lead Source",
                "LeadSource",
                "State/Province",
                "No. of Employees",
                "NumberOfEmployees",
                "MobilePhone",
            ],
            Preset::Generic => &[],
        }
    }

    /// Date layouts (jiff `strftime`) the preset's date columns use besides ISO 8601.
    pub(crate) fn date_formats(self) -> &'static [&'static str] {
        match self {
            Preset::Salesforce => &["%m/%d/%Y, %I:%M %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y"],
            _ => &[],
        }
    }
}

impl fmt::Display for Preset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A preset name that is not one of [`Preset::as_str`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown format {0:?}: use apollo, salesnav, hubspot, salesforce or generic")]
pub struct UnknownPreset(pub String);

impl FromStr for Preset {
    type Err = UnknownPreset;

    fn from_str(name: &str) -> Result<Preset, UnknownPreset> {
        match loose_key(name).as_str() {
            "apollo" => Ok(Preset::Apollo),
            "salesnav" | "salesnavigator" | "linkedin" => Ok(Preset::SalesNavigator),
            "hubspot" => Ok(Preset::HubSpot),
            "salesforce" | "sfdc" => Ok(Preset::Salesforce),
            "generic" => Ok(Preset::Generic),
            _ => Err(UnknownPreset(name.to_string())),
        }
    }
}

type Aliases = &'static [(Field, &'static [&'static str])];

const APOLLO: Aliases = &[
    (Field::RecordId, &["Apollo Contact Id"]),
    (Field::ObservedAt, &["Primary Email Last Verified At"]),
    (Field::FirstName, &["First Name"]),
    (Field::LastName, &["Last Name"]),
    (Field::FullName, &["Name"]),
    (Field::Email, &["Email", "Primary Email"]),
    (
        Field::Phone,
        &[
            "Work Direct Phone",
            "First Phone",
            "Home Phone",
            "Other Phone",
        ],
    ),
    (Field::MobilePhone, &["Mobile Phone"]),
    (Field::Title, &["Title"]),
    (Field::LinkedinUrl, &["Person Linkedin Url"]),
    (Field::City, &["City"]),
    (Field::Region, &["State"]),
    (Field::Country, &["Country"]),
    (
        Field::CompanyName,
        &["Company", "Company Name", "Company Name for Emails"],
    ),
    (Field::Website, &["Website"]),
    (Field::Industry, &["Industry"]),
    (Field::Employees, &["# Employees", "Employees"]),
    (Field::Revenue, &["Annual Revenue"]),
    (Field::Technologies, &["Technologies"]),
    (Field::CompanyPhone, &["Corporate Phone", "Company Phone"]),
    (Field::CompanyCountry, &["Company Country"]),
    (Field::CompanyLinkedinUrl, &["Company Linkedin Url"]),
];

const SALES_NAVIGATOR: Aliases = &[
    (
        Field::ObservedAt,
        &["Date Added", "timestamp", "Scraped At"],
    ),
    (Field::FirstName, &["First Name"]),
    (Field::LastName, &["Last Name"]),
    (Field::FullName, &["Full Name", "Name"]),
    (Field::Email, &["Email", "Professional Email", "Work Email"]),
    (Field::Phone, &["Phone", "Phone Number"]),
    (
        Field::Title,
        &["Job Title", "Title", "Current Job Title", "Position"],
    ),
    (
        Field::LinkedinUrl,
        &[
            "Profile URL",
            "LinkedIn Profile URL",
            "LinkedIn URL",
            "linkedInProfileUrl",
            "defaultProfileUrl",
            "Public Profile URL",
        ],
    ),
    (Field::Location, &["Location", "Lead Location"]),
    (
        Field::CompanyName,
        &["Company Name", "Company", "Current Company"],
    ),
    (Field::CompanyDomain, &["Company Domain"]),
    (Field::Website, &["Company Website", "Website"]),
    (Field::Industry, &["Industry", "Company Industry"]),
    (
        Field::Employees,
        &[
            "Company Headcount",
            "Company Employee Count Range",
            "Company Size",
            "Employee Count",
        ],
    ),
    (
        Field::CompanyLinkedinUrl,
        &["Company LinkedIn URL", "regularCompanyUrl", "companyUrl"],
    ),
];

const HUBSPOT: Aliases = &[
    (Field::RecordId, &["Record ID", "Contact ID", "VID"]),
    (
        Field::ObservedAt,
        &["Last Activity Date", "Last Modified Date"],
    ),
    (Field::FirstName, &["First Name"]),
    (Field::LastName, &["Last Name"]),
    (Field::Email, &["Email"]),
    (Field::Phone, &["Phone Number"]),
    (Field::MobilePhone, &["Mobile Phone Number"]),
    (Field::Title, &["Job Title"]),
    (
        Field::LinkedinUrl,
        &["LinkedIn URL", "LinkedIn Profile URL"],
    ),
    (Field::City, &["City"]),
    (Field::Region, &["State/Region"]),
    (Field::Country, &["Country/Region", "Country"]),
    (Field::CompanyName, &["Company Name", "Associated Company"]),
    (Field::Website, &["Website URL"]),
    (Field::Industry, &["Industry"]),
    (Field::Employees, &["Number of Employees"]),
    (Field::Revenue, &["Annual Revenue"]),
];

const SALESFORCE: Aliases = &[
    (Field::RecordId, &["Lead ID", "Id"]),
    (
        Field::ObservedAt,
        &["Last Modified Date", "LastModifiedDate", "Last Activity"],
    ),
    (Field::FirstName, &["First Name", "FirstName"]),
    (Field::LastName, &["Last Name", "LastName"]),
    (Field::FullName, &["Name", "Full Name"]),
    (Field::Email, &["Email"]),
    (Field::Phone, &["Phone"]),
    (
        Field::MobilePhone,
        &["Mobile", "MobilePhone", "Mobile Phone"],
    ),
    (Field::Title, &["Title"]),
    (Field::City, &["City"]),
    (
        Field::Region,
        &["State/Province", "State/Province (text only)", "State"],
    ),
    (Field::Country, &["Country", "Country (text only)"]),
    (Field::CompanyName, &["Company / Account", "Company"]),
    (Field::Website, &["Website"]),
    (Field::Industry, &["Industry"]),
    (
        Field::Employees,
        &["No. of Employees", "NumberOfEmployees", "Employees"],
    ),
    (Field::Revenue, &["Annual Revenue", "AnnualRevenue"]),
];

const GENERIC: Aliases = &[
    (Field::RecordId, &["id", "record_id"]),
    (
        Field::ObservedAt,
        &["observed_at", "updated_at", "last_modified", "date"],
    ),
    (
        Field::FirstName,
        &["first_name", "given_name", "firstname", "first"],
    ),
    (
        Field::LastName,
        &["last_name", "family_name", "surname", "lastname", "last"],
    ),
    (
        Field::FullName,
        &["full_name", "name", "contact_name", "person_name"],
    ),
    (
        Field::Email,
        &["email", "email_address", "e_mail", "work_email", "mail"],
    ),
    (
        Field::Phone,
        &[
            "phone",
            "phone_number",
            "work_phone",
            "telephone",
            "direct_phone",
        ],
    ),
    (
        Field::MobilePhone,
        &["mobile_phone", "mobile", "cell_phone"],
    ),
    (Field::Title, &["title", "job_title", "position", "role"]),
    (
        Field::LinkedinUrl,
        &[
            "linkedin_url",
            "linkedin",
            "linkedin_profile",
            "profile_url",
        ],
    ),
    (Field::City, &["city", "town"]),
    (
        Field::Region,
        &["region", "state", "province", "state_region"],
    ),
    (
        Field::Country,
        &["country", "country_code", "country_region"],
    ),
    (Field::Location, &["location"]),
    (
        Field::CompanyName,
        &[
            "company_name",
            "company",
            "organization",
            "organisation",
            "account_name",
            "account",
            "employer",
        ],
    ),
    (Field::CompanyDomain, &["company_domain", "domain"]),
    (
        Field::Website,
        &["website", "company_website", "website_url", "url"],
    ),
    (Field::Industry, &["industry"]),
    (
        Field::Employees,
        &[
            "employees",
            "employee_count",
            "number_of_employees",
            "company_size",
            "headcount",
        ],
    ),
    (Field::Revenue, &["revenue", "annual_revenue"]),
    (Field::Technologies, &["technologies", "tech_stack"]),
    (Field::CompanyPhone, &["company_phone"]),
    (Field::CompanyCountry, &["company_country"]),
    (Field::CompanyLinkedinUrl, &["company_linkedin_url"]),
];

/// Columns the rejected-rows file adds; they are dropped when that file is imported again.
pub const ROW_COLUMN: &str = "_row";
pub const REASON_COLUMN: &str = "_reason";

/// A column name compared loosely: lower case, letters and digits only.
pub(crate) fn loose_key(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// The preset whose distinctive columns `header` has most of (at least two, so that one
/// common name such as "Record ID" does not decide); else [`Preset::Generic`]. A tie goes
/// to the earlier preset in [`Preset::ALL`].
pub fn detect(header: &[impl AsRef<str>]) -> Preset {
    let keys: Vec<String> = header.iter().map(|h| loose_key(h.as_ref())).collect();
    let mut best = (Preset::Generic, 1);
    for preset in Preset::ALL {
        let hits = preset
            .distinctive()
            .iter()
            .filter(|name| keys.contains(&loose_key(name)))
            .count();
        if hits > best.1 {
            best = (preset, hits);
        }
    }
    best.0
}

/// The columns of a file resolved to fields: for each field, the indices of the columns
/// that may fill it, most preferred first (the first non-empty one wins in each row); and
/// for each column, whether it feeds a field. Columns that feed none are kept as extras.
#[derive(Debug, Clone)]
pub(crate) struct ColumnMap {
    pub(crate) names: Vec<Arc<str>>,
    pub(crate) by_field: Vec<Vec<usize>>,
    pub(crate) mapped: Vec<bool>,
    /// `_row` / `_reason` of a rejected-rows file: neither mapped nor extra.
    pub(crate) ignored: Vec<bool>,
}

impl ColumnMap {
    fn empty(header: &[String]) -> ColumnMap {
        ColumnMap {
            names: header.iter().map(|h| Arc::from(h.as_str())).collect(),
            by_field: vec![Vec::new(); Field::ALL.len()],
            mapped: vec![false; header.len()],
            ignored: header
                .iter()
                .map(|h| h == ROW_COLUMN || h == REASON_COLUMN)
                .collect(),
        }
    }

    /// Resolves the columns of `header` to fields, the one way every reader does: by the
    /// names a mapping gives, else by the preset's names ([`ColumnMap::by_preset`]). The
    /// preset is `None` when a mapping named the columns; the error is the field whose
    /// column the header lacks, with that column's name.
    pub(crate) fn resolve(
        header: &[String],
        columns: &Columns,
    ) -> Result<(ColumnMap, Option<Preset>), (Field, String)> {
        let preset = match columns {
            Columns::Mapping(m) => return Ok((ColumnMap::for_mapping(header, &m.columns)?, None)),
            Columns::Preset(p) => Some(*p),
            Columns::Auto => None,
        };
        let (map, preset) = ColumnMap::by_preset(header, preset);
        Ok((map, Some(preset)))
    }

    /// Maps `header` with the names of `preset`, or of the preset [`detect`] picks.
    pub(crate) fn by_preset(header: &[String], preset: Option<Preset>) -> (ColumnMap, Preset) {
        let preset = preset.unwrap_or_else(|| detect(header));
        (ColumnMap::for_preset(header, preset), preset)
    }

    /// Maps `header` with a preset's names, then the generic names for fields still free.
    pub(crate) fn for_preset(header: &[String], preset: Preset) -> ColumnMap {
        let mut map = ColumnMap::empty(header);
        let keys: Vec<String> = header.iter().map(|h| loose_key(h)).collect();
        let mut tables = vec![preset.aliases()];
        if preset != Preset::Generic {
            tables.push(GENERIC);
        }
        for (pass, table) in tables.into_iter().enumerate() {
            for (field, names) in table {
                if pass > 0 && !map.by_field[field.index()].is_empty() {
                    continue;
                }
                for name in *names {
                    let key = loose_key(name);
                    if let Some(i) = (0..keys.len())
                        .find(|&i| keys[i] == key && !map.mapped[i] && !map.ignored[i])
                    {
                        map.assign(*field, i);
                    }
                }
            }
        }
        map
    }

    /// Maps the columns a mapping file names; the others are extras. Returns the field
    /// whose column the header lacks, with that column's name.
    pub(crate) fn for_mapping(
        header: &[String],
        columns: &[(Field, String)],
    ) -> Result<ColumnMap, (Field, String)> {
        let mut map = ColumnMap::empty(header);
        let keys: Vec<String> = header.iter().map(|h| loose_key(h)).collect();
        for (field, name) in columns {
            let exact = header.iter().position(|h| h.trim() == name.trim());
            let key = loose_key(name);
            let found = exact.or_else(|| keys.iter().position(|k| *k == key));
            match found {
                Some(i) => map.assign(*field, i),
                None => return Err((*field, name.clone())),
            }
        }
        Ok(map)
    }

    fn assign(&mut self, field: Field, column: usize) {
        self.by_field[field.index()].push(column);
        self.mapped[column] = true;
    }

    /// A column that appeared after the header was read (a new key in JSON Lines); it is
    /// mapped when a field it can fill is still free.
    pub(crate) fn add_column(&mut self, name: &str, preset: Option<Preset>) {
        let i = self.names.len();
        self.names.push(Arc::from(name));
        self.mapped.push(false);
        self.ignored
            .push(name == ROW_COLUMN || name == REASON_COLUMN);
        let Some(preset) = preset else { return };
        if self.ignored[i] {
            return;
        }
        let key = loose_key(name);
        let mut tables = vec![preset.aliases()];
        if preset != Preset::Generic {
            tables.push(GENERIC);
        }
        for table in tables {
            for (field, names) in table {
                if names.iter().any(|n| loose_key(n) == key) {
                    self.assign(*field, i);
                    return;
                }
            }
        }
    }

    /// Whether a row of these columns can name a person as a record needs one: an e-mail
    /// or a LinkedIn URL column, or a name column with a company column (its name, its
    /// domain or its website). Without, every row is rejected.
    pub(crate) fn identifies_people(&self) -> bool {
        let any = |fields: &[Field]| fields.iter().any(|f| !self.by_field[f.index()].is_empty());
        any(&IDENTIFIERS) || (any(&NAMES) && any(&COMPANIES))
    }
}

/// The fields that name a person alone.
const IDENTIFIERS: [Field; 2] = [Field::Email, Field::LinkedinUrl];
/// The fields of a person's name, which names them together with a company.
const NAMES: [Field; 3] = [Field::FirstName, Field::LastName, Field::FullName];
/// The fields a company is known by: its name, or a domain (its own column, else the
/// website's).
const COMPANIES: [Field; 3] = [Field::CompanyName, Field::CompanyDomain, Field::Website];

/// What a header needs so that its rows can name people, in the names `columns` knows the
/// fields by: for the error that refuses a header without ([`ColumnMap::identifies_people`]).
pub(crate) fn identity_columns(columns: &Columns, preset: Option<Preset>) -> String {
    let names = |fields: &[Field], name: &dyn Fn(Field) -> String| {
        let names: Vec<String> = fields.iter().map(|&f| name(f)).collect();
        match names.as_slice() {
            [one] => one.clone(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
            [] => String::new(),
        }
    };
    match (columns, preset) {
        (Columns::Mapping(_), _) | (_, None) => {
            let key = |f: Field| f.as_str().to_string();
            format!(
                "the mapping file must name a column for {}, {}, or {} with {}",
                key(Field::Email),
                key(Field::LinkedinUrl),
                names(&NAMES, &key),
                names(&COMPANIES, &key),
            )
        }
        (_, Some(preset)) => {
            let column = |f: Field| {
                let alias = [preset.aliases(), GENERIC]
                    .into_iter()
                    .flat_map(|table| table.iter())
                    .find(|(field, _)| *field == f)
                    .map_or(f.as_str(), |(_, names)| names[0]);
                format!("{alias:?}")
            };
            format!(
                "the {preset} columns that name a person are an e-mail ({}), a LinkedIn URL \
                 ({}), or a name ({}) with a company ({}); rename the columns, or name them \
                 with a mapping file",
                column(Field::Email),
                column(Field::LinkedinUrl),
                names(&NAMES, &column),
                names(&COMPANIES, &column),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn loose_keys_ignore_case_spaces_and_punctuation() {
        assert_eq!(loose_key("Company Name"), "companyname");
        assert_eq!(loose_key("company_name"), "companyname");
        assert_eq!(loose_key("companyName"), "companyname");
        assert_eq!(loose_key("# Employees"), "employees");
    }

    #[test]
    fn detection_uses_distinctive_columns() {
        assert_eq!(
            detect(&["First Name", "Email", "Apollo Contact Id", "# Employees"]),
            Preset::Apollo
        );
        assert_eq!(
            detect(&["First Name", "Sales Navigator URL", "Date Added"]),
            Preset::SalesNavigator
        );
        assert_eq!(
            detect(&["Record ID", "Email", "Lifecycle Stage"]),
            Preset::HubSpot
        );
        assert_eq!(
            detect(&["Lead ID", "Company / Account", "Email"]),
            Preset::Salesforce
        );
        assert_eq!(detect(&["email", "first_name"]), Preset::Generic);
        assert_eq!(detect(&["Record_ID", "email"]), Preset::Generic);
    }

    #[test]
    fn apollo_country_is_the_person_s_and_company_country_the_company_s() {
        let h = header(&[
            "Country",
            "Company Country",
            "Corporate Phone",
            "Company Phone",
        ]);
        let map = ColumnMap::for_preset(&h, Preset::Apollo);
        assert_eq!(map.by_field[Field::Country.index()], vec![0]);
        assert_eq!(map.by_field[Field::CompanyCountry.index()], vec![1]);
        assert_eq!(map.by_field[Field::CompanyPhone.index()], vec![2, 3]);
    }

    #[test]
    fn presets_fall_back_to_generic_names() {
        let h = header(&["Record ID", "Email", "linkedin_url", "_row", "_reason"]);
        let map = ColumnMap::for_preset(&h, Preset::HubSpot);
        assert_eq!(map.by_field[Field::LinkedinUrl.index()], vec![2]);
        assert!(map.ignored[3] && map.ignored[4]);
    }

    #[test]
    fn a_name_names_a_person_only_with_a_company() {
        let identifies = |names: &[&str]| {
            ColumnMap::for_preset(&header(names), Preset::Generic).identifies_people()
        };
        assert!(identifies(&["E-Mail"]));
        assert!(identifies(&["linkedin"]));
        assert!(identifies(&["first_name", "last_name", "website"]));
        assert!(!identifies(&["first_name", "last_name", "title"]));
        assert!(!identifies(&["a", "b", "c"]));
    }

    #[test]
    fn the_identity_columns_are_named_as_the_preset_names_them() {
        let apollo = identity_columns(&Columns::Auto, Some(Preset::Apollo));
        assert!(
            apollo.contains(
                "an e-mail (\"Email\"), a LinkedIn URL (\"Person Linkedin Url\"), or a name \
                 (\"First Name\", \"Last Name\" or \"Name\") with a company (\"Company\", \
                 \"company_domain\" or \"Website\")"
            ),
            "{apollo}"
        );
        let mapped = identity_columns(&Columns::Mapping(Mapping::default()), None);
        assert!(
            mapped.starts_with("the mapping file must name a column for email"),
            "{mapped}"
        );
    }

    #[test]
    fn preset_names() {
        assert_eq!("salesnav".parse(), Ok(Preset::SalesNavigator));
        assert_eq!("HubSpot".parse(), Ok(Preset::HubSpot));
        assert!("zoominfo".parse::<Preset>().is_err());
    }
}
