//! An approved list leaves leadgate as a file a CRM's importer reads without a mapping step:
//! the admitted prospects, one row each, under the column names that importer matches on.
//! This module decides the columns of each [`ExportFormat`] and turns one prospect's
//! resolved profile into the cells of its row; writing the file (CSV quoting, the file
//! itself) is the application's work.
//!
//! - **`hubspot`**: HubSpot's contact import matches a column to a contact property by the
//!   property's label, so the header is the default properties' labels ("First Name",
//!   "Phone Number", "State/Region", …) — the same labels a HubSpot contact export carries
//!   and leadgate's `hubspot` import preset reads.
//! - **`salesforce`**: the Lead object's field API names (`FirstName`, `Company`, `State`,
//!   `LeadSource`, …), which the Data Import Wizard and Data Loader both map on. A lead
//!   needs `LastName` and `Company`; [`ExportFormat::missing_required`] names a row
//!   without them, so the person exporting hears of it before Salesforce refuses the row.
//! - **`csv`**: leadgate's own field names ([`PERSON_FIELDS`], [`COMPANY_FIELDS`]) after
//!   the contact id, its standing and its primary source: every field, nothing renamed.
//!
//! A name kept only whole ("Ana María Pérez") is split at its last space for the CRMs, which
//! have no full-name field: the family name is the last word. A website the company has no
//! URL for is its domain.
//!
//! A spreadsheet opens a CSV cell that starts with `=`, `+`, `-` or `@` (or a tab or a
//! carriage return) as a formula, which can call out to other programs or sites (CSV
//! injection). Every such cell is prefixed with a single quote, as OWASP recommends, unless
//! it holds nothing a formula could use: a phone number such as `+14165550171` (digits,
//! spaces and `+ - ( ) . /`) stays as it is, so the CRM gets the number it can dial.

use super::field::Field;
use super::prospect::{COMPANY_FIELDS, PERSON_FIELDS, Profile, Standing};

crate::values! {
    /// The file layout an approved list is exported in.
    pub enum ExportFormat("export format") {
        /// leadgate's own field names, with the contact id, standing and primary source.
        Csv = "csv" / "CSV with leadgate's field names",
        /// HubSpot's contact import: the default contact properties' labels.
        Hubspot = "hubspot" / "HubSpot contacts import",
        /// Salesforce's lead import: the Lead object's field API names.
        Salesforce = "salesforce" / "Salesforce leads import",
    }
}

/// What fills a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cell {
    ContactId,
    Standing,
    PrimarySource,
    /// The first name, else the full name but its last word.
    GivenName,
    /// The last name, else the full name's last word.
    FamilyName,
    /// The company's website, else its domain.
    Website,
    /// The person's country, else the company's.
    Country,
    /// A field of the person's profile.
    Person(&'static str),
    /// A field of the company's profile.
    Company(&'static str),
}

const HUBSPOT: &[(&str, Cell)] = &[
    ("First Name", Cell::GivenName),
    ("Last Name", Cell::FamilyName),
    ("Email", Cell::Person(Field::Email.as_str())),
    ("Phone Number", Cell::Person(Field::Phone.as_str())),
    (
        "Mobile Phone Number",
        Cell::Person(Field::MobilePhone.as_str()),
    ),
    ("Job Title", Cell::Person(Field::Title.as_str())),
    ("Company Name", Cell::Company(Field::CompanyName.as_str())),
    ("Website URL", Cell::Website),
    ("City", Cell::Person(Field::City.as_str())),
    ("State/Region", Cell::Person(Field::Region.as_str())),
    ("Country/Region", Cell::Country),
    ("LinkedIn URL", Cell::Person(Field::LinkedinUrl.as_str())),
];

const SALESFORCE: &[(&str, Cell)] = &[
    ("FirstName", Cell::GivenName),
    ("LastName", Cell::FamilyName),
    ("Email", Cell::Person(Field::Email.as_str())),
    ("Phone", Cell::Person(Field::Phone.as_str())),
    ("MobilePhone", Cell::Person(Field::MobilePhone.as_str())),
    ("Title", Cell::Person(Field::Title.as_str())),
    ("Company", Cell::Company(Field::CompanyName.as_str())),
    ("Website", Cell::Website),
    ("Industry", Cell::Company(Field::Industry.as_str())),
    ("City", Cell::Person(Field::City.as_str())),
    ("State", Cell::Person(Field::Region.as_str())),
    ("Country", Cell::Country),
    ("LeadSource", Cell::PrimarySource),
];

/// The columns of a Salesforce lead that may not be empty.
const SALESFORCE_REQUIRED: &[&str] = &["LastName", "Company"];

const CSV_LEAD: &[(&str, Cell)] = &[
    ("contact_id", Cell::ContactId),
    ("status", Cell::Standing),
    ("primary_source", Cell::PrimarySource),
];

/// One admitted prospect as the export reads it.
#[derive(Debug, Clone, Copy)]
pub struct ExportedProspect<'a> {
    pub contact_id: i64,
    pub standing: Standing,
    pub primary_source: &'a str,
    pub person: &'a Profile,
    pub company: &'a Profile,
}

impl ExportFormat {
    fn columns(self) -> Vec<(&'static str, Cell)> {
        match self {
            ExportFormat::Hubspot => HUBSPOT.to_vec(),
            ExportFormat::Salesforce => SALESFORCE.to_vec(),
            ExportFormat::Csv => CSV_LEAD
                .iter()
                .copied()
                .chain(PERSON_FIELDS.iter().map(|f| (*f, Cell::Person(f))))
                .chain(COMPANY_FIELDS.iter().map(|f| (*f, Cell::Company(f))))
                .collect(),
        }
    }

    /// The header row.
    pub fn header(self) -> Vec<&'static str> {
        self.columns().into_iter().map(|(name, _)| name).collect()
    }

    /// The cells of one prospect's row, in the header's order, each safe to open in a
    /// spreadsheet ([`neutralise`]).
    pub fn row(self, prospect: &ExportedProspect<'_>) -> Vec<String> {
        self.columns()
            .into_iter()
            .map(|(_, cell)| neutralise(&value(cell, prospect)))
            .collect()
    }

    /// The columns the importer needs in every row and `row` leaves empty (Salesforce
    /// refuses a lead without a last name or a company); empty when the row is complete.
    pub fn missing_required(self, row: &[String]) -> Vec<&'static str> {
        let required: &[&str] = match self {
            ExportFormat::Salesforce => SALESFORCE_REQUIRED,
            ExportFormat::Hubspot | ExportFormat::Csv => &[],
        };
        self.header()
            .into_iter()
            .zip(row)
            .filter(|(name, cell)| required.contains(name) && cell.trim().is_empty())
            .map(|(name, _)| name)
            .collect()
    }

    /// The name a download of list `list_id` is offered under: `list-12-hubspot.csv`.
    pub fn file_name(self, list_id: i64) -> String {
        format!("list-{list_id}-{}.csv", self.as_str())
    }
}

fn value(cell: Cell, p: &ExportedProspect<'_>) -> String {
    let of = |profile: &Profile, field: &str| {
        profile
            .get(field)
            .map(|s| s.value.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    let person = |field: Field| of(p.person, field.as_str());
    let company = |field: Field| of(p.company, field.as_str());
    let whole_name = || {
        person(Field::FullName).map(|full| match full.rsplit_once(char::is_whitespace) {
            Some((given, family)) => (given.trim().to_string(), family.to_string()),
            None => (String::new(), full),
        })
    };
    let found = match cell {
        Cell::ContactId => Some(p.contact_id.to_string()),
        Cell::Standing => Some(p.standing.as_str().to_string()),
        Cell::PrimarySource => Some(p.primary_source.to_string()),
        Cell::GivenName => {
            person(Field::FirstName).or_else(|| whole_name().map(|(given, _)| given))
        }
        Cell::FamilyName => {
            person(Field::LastName).or_else(|| whole_name().map(|(_, family)| family))
        }
        Cell::Website => company(Field::Website).or_else(|| company(Field::CompanyDomain)),
        Cell::Country => person(Field::Country).or_else(|| company(Field::CompanyCountry)),
        Cell::Person(field) => of(p.person, field),
        Cell::Company(field) => of(p.company, field),
    };
    found.unwrap_or_default()
}

/// A cell that a spreadsheet would read as a formula, made text: a leading `'` before a
/// cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return (after any spaces),
/// unless all of it is a number such as a phone number (digits, spaces and `+ - ( ) . /`),
/// which can call nothing.
pub fn neutralise(cell: &str) -> String {
    let starts_like_formula = cell
        .trim_start_matches(' ')
        .starts_with(['=', '+', '-', '@', '\t', '\r']);
    let only_a_number = cell
        .chars()
        .all(|c| c.is_ascii_digit() || " +-()./".contains(c))
        && cell.chars().any(|c| c.is_ascii_digit());
    if starts_like_formula && !only_a_number {
        format!("'{cell}")
    } else {
        cell.to_string()
    }
}

#[cfg(test)]
mod tests {
    use jiff::Timestamp;

    use super::*;
    use crate::discovery::resolve::Survivor;

    fn profile(fields: &[(Field, &str)]) -> Profile {
        fields
            .iter()
            .map(|(field, value)| {
                (
                    field.as_str().to_string(),
                    Survivor {
                        value: value.to_string(),
                        record_id: "1".into(),
                        source: "apollo".into(),
                        observed_at: Timestamp::UNIX_EPOCH,
                    },
                )
            })
            .collect()
    }

    fn prospect<'a>(person: &'a Profile, company: &'a Profile) -> ExportedProspect<'a> {
        ExportedProspect {
            contact_id: 42,
            standing: Standing::Admitted,
            primary_source: "apollo",
            person,
            company,
        }
    }

    fn cell(format: ExportFormat, row: &[String], column: &str) -> String {
        let at = format.header().iter().position(|c| *c == column);
        row[at.unwrap_or_else(|| panic!("{format} has no column {column}"))].clone()
    }

    #[test]
    fn each_crm_gets_the_column_names_its_importer_maps_on() {
        assert_eq!(
            ExportFormat::Hubspot.header(),
            [
                "First Name",
                "Last Name",
                "Email",
                "Phone Number",
                "Mobile Phone Number",
                "Job Title",
                "Company Name",
                "Website URL",
                "City",
                "State/Region",
                "Country/Region",
                "LinkedIn URL",
            ]
        );
        assert_eq!(
            ExportFormat::Salesforce.header(),
            [
                "FirstName",
                "LastName",
                "Email",
                "Phone",
                "MobilePhone",
                "Title",
                "Company",
                "Website",
                "Industry",
                "City",
                "State",
                "Country",
                "LeadSource",
            ]
        );
    }

    #[test]
    fn the_plain_csv_carries_every_field_under_leadgate_s_name() {
        let header = ExportFormat::Csv.header();
        assert_eq!(header[..3], ["contact_id", "status", "primary_source"]);
        for field in PERSON_FIELDS.iter().chain(COMPANY_FIELDS) {
            assert!(header.contains(field), "{field} is missing from {header:?}");
        }
        assert_eq!(header.len(), 3 + PERSON_FIELDS.len() + COMPANY_FIELDS.len());
    }

    #[test]
    fn a_prospect_becomes_a_row_in_the_header_s_order() {
        // Arrange
        let person = profile(&[
            (Field::FirstName, "Zoë"),
            (Field::LastName, "Ångström"),
            (Field::Email, "zoe@acme.com"),
            (Field::Phone, "+14165550171"),
            (Field::Title, "VP Sales"),
            (Field::Region, "Ontario"),
        ]);
        let company = profile(&[
            (Field::CompanyName, "Acme, \"the\" company"),
            (Field::CompanyDomain, "acme.com"),
            (Field::CompanyCountry, "CA"),
            (Field::Industry, "Computer Software"),
        ]);
        let p = prospect(&person, &company);

        // Act
        let hubspot = ExportFormat::Hubspot.row(&p);
        let salesforce = ExportFormat::Salesforce.row(&p);
        let csv = ExportFormat::Csv.row(&p);

        // Assert
        assert_eq!(hubspot.len(), ExportFormat::Hubspot.header().len());
        assert_eq!(cell(ExportFormat::Hubspot, &hubspot, "First Name"), "Zoë");
        assert_eq!(
            cell(ExportFormat::Hubspot, &hubspot, "Phone Number"),
            "+14165550171",
            "a phone number is not taken for a formula"
        );
        assert_eq!(
            cell(ExportFormat::Hubspot, &hubspot, "Website URL"),
            "acme.com",
            "no website: the domain"
        );
        assert_eq!(
            cell(ExportFormat::Hubspot, &hubspot, "Country/Region"),
            "CA",
            "no country of the person's: the company's"
        );
        assert_eq!(
            cell(ExportFormat::Salesforce, &salesforce, "Company"),
            "Acme, \"the\" company"
        );
        assert_eq!(
            cell(ExportFormat::Salesforce, &salesforce, "LeadSource"),
            "apollo"
        );
        assert_eq!(
            cell(ExportFormat::Salesforce, &salesforce, "State"),
            "Ontario"
        );
        assert_eq!(cell(ExportFormat::Csv, &csv, "contact_id"), "42");
        assert_eq!(cell(ExportFormat::Csv, &csv, "status"), "admitted");
        assert_eq!(
            cell(ExportFormat::Csv, &csv, "website"),
            "",
            "csv renames nothing"
        );
        assert_eq!(cell(ExportFormat::Csv, &csv, "company_domain"), "acme.com");
        assert!(
            ExportFormat::Salesforce
                .missing_required(&salesforce)
                .is_empty()
        );
    }

    #[test]
    fn a_name_kept_whole_is_split_at_its_last_space() {
        let person = profile(&[(Field::FullName, "Ana María Pérez")]);
        let alone = profile(&[(Field::FullName, "Madonna")]);
        let company = profile(&[(Field::CompanyName, "Acme")]);

        let row = ExportFormat::Salesforce.row(&prospect(&person, &company));
        let single = ExportFormat::Salesforce.row(&prospect(&alone, &company));

        assert_eq!(
            cell(ExportFormat::Salesforce, &row, "FirstName"),
            "Ana María"
        );
        assert_eq!(cell(ExportFormat::Salesforce, &row, "LastName"), "Pérez");
        assert_eq!(cell(ExportFormat::Salesforce, &single, "FirstName"), "");
        assert_eq!(
            cell(ExportFormat::Salesforce, &single, "LastName"),
            "Madonna"
        );
    }

    #[test]
    fn a_lead_without_last_name_or_company_is_named_before_salesforce_refuses_it() {
        let person = profile(&[(Field::FirstName, "Jo")]);
        let company = Profile::new();

        let row = ExportFormat::Salesforce.row(&prospect(&person, &company));

        assert_eq!(
            ExportFormat::Salesforce.missing_required(&row),
            ["LastName", "Company"]
        );
        let hubspot = ExportFormat::Hubspot.row(&prospect(&person, &company));
        assert!(ExportFormat::Hubspot.missing_required(&hubspot).is_empty());
    }

    #[test]
    fn a_cell_a_spreadsheet_would_run_is_made_text() {
        for formula in [
            "=HYPERLINK(\"http://evil.example\",\"x\")",
            "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0",
            "\t=1+1",
            "\r=1+1",
            "  =1+1",
        ] {
            assert_eq!(neutralise(formula), format!("'{formula}"), "{formula:?}");
        }
        for harmless in [
            "+14165550171",
            "+1 (416) 555-0171",
            "-42",
            "Acme",
            "",
            "jane@acme.com",
            "a=b",
        ] {
            assert_eq!(neutralise(harmless), harmless, "{harmless:?}");
        }
        let person = profile(&[(Field::Title, "=1+2"), (Field::LastName, "@Lee")]);
        let company = profile(&[(Field::CompanyName, "-Acme")]);
        let row = ExportFormat::Hubspot.row(&prospect(&person, &company));
        assert_eq!(cell(ExportFormat::Hubspot, &row, "Job Title"), "'=1+2");
        assert_eq!(cell(ExportFormat::Hubspot, &row, "Last Name"), "'@Lee");
        assert_eq!(cell(ExportFormat::Hubspot, &row, "Company Name"), "'-Acme");
    }

    #[test]
    fn formats_read_by_their_spelling_and_name_their_file() {
        assert_eq!("hubspot".parse(), Ok(ExportFormat::Hubspot));
        assert!("excel".parse::<ExportFormat>().is_err());
        assert_eq!(
            ExportFormat::Salesforce.file_name(12),
            "list-12-salesforce.csv"
        );
    }
}
