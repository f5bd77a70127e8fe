//! The vendor presets, auto-detection, the generic names and mapping files: which column
//! lands in which field, and how each value normalises.

use jiff::Timestamp;
use leadgate_connectors::import::{Columns, Field, ImportOptions, Mapping, Preset};
use leadgate_core::discovery::normalize::seniority_of;
use leadgate_core::icp::{Department, Seniority};

use crate::support::{extra, import_bytes, temp_file};

fn csv(lines: &[&str]) -> Vec<u8> {
    let mut text = lines.join("\n");
    text.push('\n');
    text.into_bytes()
}

#[test]
fn apollo_people_export() {
    let bytes = csv(&[
        "First Name,Last Name,Title,Company,Company Name for Emails,Email,Email Status,Primary Email Last Verified At,Seniority,Departments,Work Direct Phone,Mobile Phone,Corporate Phone,# Employees,Industry,Keywords,Person Linkedin Url,Website,Company Linkedin Url,City,State,Country,Company Country,Company Phone,Technologies,Annual Revenue,Apollo Contact Id,Apollo Account Id",
        "Davide,Ricci,Account Executive,Tidalgate Builders,Tidalgate Builders,davide.ricci@tidalgate.com,Verified,2025-05-19T16:23:05+00:00,Senior,Sales,'+1 416-555-0171,,,48,construction,\"building, construction\",http://www.linkedin.com/in/davide-ricci-8926188e,http://www.tidalgate.com,http://www.linkedin.com/company/tidalgate,Toronto,Ontario,Canada,United States,'+1 801-555-0120,\"Salesforce, Snowflake\",5400000,0682b5aebba250f1df241af5,5f85aa",
    ]);
    let out = import_bytes("apollo.csv", &bytes, &ImportOptions::default());
    assert_eq!(out.summary.preset, Some(Preset::Apollo));
    let r = &out.accepted[0];
    assert_eq!(
        r.source_record_id.as_deref(),
        Some("0682b5aebba250f1df241af5")
    );
    assert!(r.observed_in_row);
    assert_eq!(
        r.observed_at,
        Some("2025-05-19T16:23:05Z".parse::<Timestamp>().unwrap())
    );
    let p = &r.person;
    assert_eq!(p.name.as_ref().unwrap().full(), "Davide Ricci");
    assert_eq!(
        p.email.as_ref().unwrap().get().unwrap().as_str(),
        "davide.ricci@tidalgate.com"
    );
    assert_eq!(
        p.phone.as_ref().unwrap().get().unwrap().as_str(),
        "+14165550171"
    );
    assert_eq!(p.title.as_deref(), Some("Account Executive"));
    assert_eq!(p.seniority, seniority_of("Account Executive"));
    assert_eq!(p.department, Some(Department::Sales));
    assert_eq!(
        p.linkedin.as_ref().unwrap().get().unwrap().as_str(),
        "https://www.linkedin.com/in/davide-ricci-8926188e"
    );
    assert_eq!(p.country.as_ref().unwrap().get().unwrap().as_str(), "CA");
    assert_eq!(
        (p.city.as_deref(), p.region.as_deref()),
        (Some("Toronto"), Some("Ontario"))
    );
    let c = &r.company;
    assert_eq!(c.name.as_ref().unwrap().raw, "Tidalgate Builders");
    assert_eq!(
        c.domain.as_ref().unwrap().get().unwrap().as_str(),
        "tidalgate.com"
    );
    assert_eq!(c.website.as_deref(), Some("http://www.tidalgate.com"));
    assert_eq!(c.employees.as_ref().unwrap().get().unwrap().midpoint(), 48);
    assert_eq!(c.revenue.as_ref().unwrap().get().unwrap().min, 5_400_000);
    assert_eq!(c.technologies, vec!["Salesforce", "Snowflake"]);
    assert_eq!(c.country.as_ref().unwrap().get().unwrap().as_str(), "US");
    assert_eq!(
        c.phone.as_ref().unwrap().get().unwrap().as_str(),
        "+18015550120"
    );
    assert_eq!(
        c.linkedin_url.as_deref(),
        Some("http://www.linkedin.com/company/tidalgate")
    );
    assert_eq!(c.industry.as_deref(), Some("construction"));
    assert_eq!(extra(r, "Email Status"), Some("Verified"));
    assert_eq!(extra(r, "Keywords"), Some("building, construction"));
    assert_eq!(extra(r, "Apollo Account Id"), Some("5f85aa"));
    // Apollo's own seniority is kept as an extra; leadgate's comes from the title.
    assert_eq!(extra(r, "Seniority"), Some("Senior"));
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn sales_navigator_exports_of_two_tools() {
    // The layout the demo writes (semicolons, a BOM, CRLF).
    let text = "\u{feff}First Name;Last Name;Full Name;Job Title;Company Name;Company Domain;Company LinkedIn URL;Profile URL;Sales Navigator URL;Location;Industry;Company Headcount;Date Added\r\n\
                Sophie;Lewis, PMP;Sophie Lewis, PMP;Enterprise Account Executive @ High Canyon;High Canyon Solutions;;https://www.linkedin.com/company/high-canyon;https://www.linkedin.com/in/sophie-lewis-9c79b4c9/;https://www.linkedin.com/sales/lead/ACwAA75,NAME_SEARCH,KLJW;Austin, Texas, United States;IT Services and IT Consulting;51-200;2026-11-18\r\n";
    let out = import_bytes("salesnav.csv", text.as_bytes(), &ImportOptions::default());
    assert_eq!(out.summary.preset, Some(Preset::SalesNavigator));
    assert_eq!(out.summary.delimiter, Some(b';'));
    let r = &out.accepted[0];
    assert_eq!(r.person.name.as_ref().unwrap().family(), "Lewis");
    assert_eq!(
        r.person.linkedin.as_ref().unwrap().get().unwrap().as_str(),
        "https://www.linkedin.com/in/sophie-lewis-9c79b4c9"
    );
    assert_eq!(
        r.person.seniority,
        seniority_of("Enterprise Account Executive")
    );
    assert_eq!(r.person.department, Some(Department::Sales));
    assert_eq!(
        r.person.location.as_deref(),
        Some("Austin, Texas, United States")
    );
    assert_eq!(r.person.city.as_deref(), Some("Austin"));
    assert_eq!(r.person.region.as_deref(), Some("Texas"));
    assert_eq!(
        r.person.country.as_ref().unwrap().get().unwrap().as_str(),
        "US"
    );
    let employees = r.company.employees.as_ref().unwrap().get().unwrap();
    assert_eq!(
        (employees.min, employees.max, employees.midpoint()),
        (51, Some(200), 125)
    );
    assert_eq!(
        r.observed_at,
        Some("2026-11-18T00:00:00Z".parse::<Timestamp>().unwrap())
    );
    assert!(
        extra(r, "Sales Navigator URL")
            .unwrap()
            .contains("/sales/lead/")
    );

    // PhantomBuster's camelCase layout: `profileUrl` is the Sales Navigator address, the
    // public profile is in `linkedInProfileUrl`.
    let bytes = csv(&[
        "profileUrl,fullName,firstName,lastName,companyName,title,location,linkedInProfileUrl,timestamp",
        "https://www.linkedin.com/sales/people/ACwAAB,Mette Hansen,Mette,Hansen,Peakyard,Senior Software Engineer,\"Copenhagen, Denmark\",https://www.linkedin.com/in/mette-hansen,2025-02-01T10:00:00.000Z",
    ]);
    let out = import_bytes("phantom.csv", &bytes, &ImportOptions::default());
    assert_eq!(out.summary.preset, Some(Preset::SalesNavigator));
    let r = &out.accepted[0];
    assert_eq!(
        r.person.linkedin.as_ref().unwrap().get().unwrap().as_str(),
        "https://www.linkedin.com/in/mette-hansen"
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    assert_eq!(
        extra(r, "profileUrl"),
        Some("https://www.linkedin.com/sales/people/ACwAAB")
    );
    assert_eq!(r.company.name.as_ref().unwrap().raw, "Peakyard");
    assert_eq!(
        r.person.country.as_ref().unwrap().get().unwrap().as_str(),
        "DK"
    );
}

#[test]
fn hubspot_contacts_export() {
    let bytes = csv(&[
        "Record ID,First Name,Last Name,Email,Phone Number,Job Title,Company Name,Website URL,Country/Region,State/Region,City,Lifecycle Stage,Lead Status,Create Date,Last Activity Date,Contact owner",
        "30100000373,Heather,HARRIS,HeatherH@Drogera.com,(512) 555-0143 ext. 12,Head of Sales,Drogera IT,https://www.drogera.com/en-us,US,Texas,,Lead,,2025-06-09 17:46,2026-09-17 15:01,Hannah Becker",
        "30100000499,,,,,,,chaflois.com,FR,,,Lead,,2025-10-03 02:41,,",
    ]);
    let observed: Timestamp = "2026-12-01T00:00:00Z".parse().unwrap();
    let out = import_bytes(
        "hubspot.csv",
        &bytes,
        &ImportOptions {
            observed_at: Some(observed),
            ..ImportOptions::default()
        },
    );
    assert_eq!(out.summary.preset, Some(Preset::HubSpot));
    let r = &out.accepted[0];
    assert_eq!(r.source_record_id.as_deref(), Some("30100000373"));
    assert_eq!(r.person.name.as_ref().unwrap().family(), "Harris");
    assert_eq!(
        r.person.email.as_ref().unwrap().get().unwrap().as_str(),
        "heatherh@drogera.com"
    );
    assert_eq!(r.person.email.as_ref().unwrap().raw, "HeatherH@Drogera.com");
    assert_eq!(
        r.person.phone.as_ref().unwrap().get().unwrap().as_str(),
        "+15125550143"
    );
    assert_eq!(r.person.seniority, Some(Seniority::Director));
    assert_eq!(
        r.company.domain.as_ref().unwrap().get().unwrap().as_str(),
        "drogera.com"
    );
    assert_eq!(
        r.observed_at,
        Some("2026-09-17T15:01:00Z".parse::<Timestamp>().unwrap())
    );
    assert_eq!(extra(r, "Lifecycle Stage"), Some("Lead"));
    assert_eq!(extra(r, "Create Date"), Some("2025-06-09 17:46"));
    // No name, no e-mail: rejected, however good its company.
    assert_eq!(out.rejected.len(), 1);
    assert_eq!(out.rejected[0].row, 2);
    assert_eq!(
        out.rejected[0].reason.to_string(),
        "no usable identity (needs an e-mail, a LinkedIn profile URL, or a name and a \
         company): email empty, linkedin_url empty, name empty, company_name \"chaflois.com\""
    );
}

#[test]
fn salesforce_leads_report_and_data_loader_names() {
    let bytes = csv(&[
        "Lead ID,Salutation,First Name,Last Name,Title,Company / Account,Email,Phone,Mobile,City,State/Province,Country,Lead Source,Lead Status,Industry,Annual Revenue,No. of Employees,Website,Lead Owner,Last Modified Date",
        "00Q5e00000AbCdE,Ms.,Ines,Duarte,CFO,Lumora Lda,ines@lumora.pt,+351 21 123 4567,,Lisbon,,Portugal,Web,Open,Finance,\"$1,200,000\",\"1,234\",www.lumora.pt,Rui Costa,\"3/14/2025, 9:31 PM\"",
    ]);
    let out = import_bytes("leads.csv", &bytes, &ImportOptions::default());
    assert_eq!(out.summary.preset, Some(Preset::Salesforce));
    let r = &out.accepted[0];
    assert_eq!(r.source_record_id.as_deref(), Some("00Q5e00000AbCdE"));
    assert_eq!(r.company.name.as_ref().unwrap().raw, "Lumora Lda");
    assert_eq!(
        r.company.revenue.as_ref().unwrap().get().unwrap().min,
        1_200_000
    );
    assert_eq!(
        r.company.employees.as_ref().unwrap().get().unwrap().min,
        1234
    );
    assert_eq!(
        r.company.domain.as_ref().unwrap().get().unwrap().as_str(),
        "lumora.pt"
    );
    assert_eq!(r.person.seniority, Some(Seniority::CLevel));
    assert_eq!(
        r.person.country.as_ref().unwrap().get().unwrap().as_str(),
        "PT"
    );
    assert_eq!(
        r.observed_at,
        Some("2025-03-14T21:31:00Z".parse::<Timestamp>().unwrap())
    );
    assert_eq!(extra(r, "Lead Owner"), Some("Rui Costa"));

    let bytes = csv(&[
        "Id,FirstName,LastName,Company,Email,MobilePhone,NumberOfEmployees,LeadSource",
        "00Q1,Ines,Duarte,Lumora,ines@lumora.pt,+351 91 234 5678,40,Web",
    ]);
    let out = import_bytes("loader.csv", &bytes, &ImportOptions::default());
    assert_eq!(out.summary.preset, Some(Preset::Salesforce));
    let r = &out.accepted[0];
    assert_eq!(r.source_record_id.as_deref(), Some("00Q1"));
    assert_eq!(
        r.person
            .mobile_phone
            .as_ref()
            .unwrap()
            .get()
            .unwrap()
            .as_str(),
        "+351912345678"
    );
}

#[test]
fn generic_names_in_any_spelling() {
    let bytes = csv(&[
        "Record_ID,FirstName,last-name,E-Mail,Company,Company Domain,LinkedIn,Employee Count,Country Code,Observed At",
        "r1,Ana,Silva,ana@brisa.com.br,Brisa,brisa.com.br,linkedin.com/in/ana-silva,10001+,BR,2025-01-02",
    ]);
    let out = import_bytes("any.csv", &bytes, &ImportOptions::default());
    assert_eq!(out.summary.preset, Some(Preset::Generic));
    let r = &out.accepted[0];
    assert_eq!(r.source_record_id.as_deref(), Some("r1"));
    assert_eq!(r.person.name.as_ref().unwrap().full(), "Ana Silva");
    assert!(r.person.email.as_ref().unwrap().get().is_some());
    assert_eq!(
        r.company.domain.as_ref().unwrap().get().unwrap().as_str(),
        "brisa.com.br"
    );
    assert_eq!(
        r.company.employees.as_ref().unwrap().get().unwrap().max,
        None
    );
    assert!(r.person.linkedin.as_ref().unwrap().get().is_some());
    assert_eq!(
        r.person.country.as_ref().unwrap().get().unwrap().as_str(),
        "BR"
    );
    assert!(r.observed_in_row);
}

#[test]
fn a_preset_given_by_name_overrides_detection() {
    let bytes = csv(&["Email,Company", "ann@a.com,A"]);
    let out = import_bytes(
        "x.csv",
        &bytes,
        &ImportOptions {
            columns: Columns::Preset(Preset::Apollo),
            ..ImportOptions::default()
        },
    );
    assert_eq!(out.summary.preset, Some(Preset::Apollo));
    assert_eq!(out.accepted[0].company.name.as_ref().unwrap().raw, "A");
}

#[test]
fn a_mapping_file_names_the_columns() {
    let mapping = Mapping::parse(
        r#"
delimiter = "tab"
id_column = "Kundennummer"
observed_at_column = "Geändert am"
date_format = "%d.%m.%Y"
default_country = "DE"

[columns]
email = "E-Mail-Adresse"
first_name = "Vorname"
last_name = "Nachname"
company_name = "Firma"
phone = "Telefon"
"#,
    )
    .unwrap();
    let text = "Kundennummer\tVorname\tNachname\tE-Mail-Adresse\tFirma\tTelefon\tGeändert am\tname\n\
                K-17\tJürgen\tKlein\tj.klein@kleinbau.de\tKleinbau GmbH\t030 1234567\t14.03.2025\tignored\n";
    let out = import_bytes(
        "kunden.tsv",
        text.as_bytes(),
        &ImportOptions {
            columns: Columns::Mapping(mapping.clone()),
            ..ImportOptions::default()
        },
    );
    assert_eq!(out.summary.preset, None);
    let r = &out.accepted[0];
    assert_eq!(r.source_record_id.as_deref(), Some("K-17"));
    assert_eq!(r.person.given_name.as_deref(), Some("Jürgen"));
    assert_eq!(
        r.person.phone.as_ref().unwrap().get().unwrap().as_str(),
        "+49301234567"
    );
    assert_eq!(
        r.observed_at,
        Some("2025-03-14T00:00:00Z".parse::<Timestamp>().unwrap())
    );
    // A mapping is explicit: the generic `name` column is not read as the full name.
    assert_eq!(r.person.full_name, None);
    assert_eq!(extra(r, "name"), Some("ignored"));

    // A column the mapping names and the file lacks stops the import before any row.
    let file = temp_file("other.tsv", b"Vorname\tNachname\nA\tB\n");
    let err = leadgate_connectors::import::open(
        &file.path,
        &ImportOptions {
            columns: Columns::Mapping(mapping),
            ..ImportOptions::default()
        },
    )
    .err()
    .unwrap();
    let message = err.to_string();
    assert!(
        message.contains("the mapping names column \"Kundennummer\" for id, which the file does not have; its columns are: Vorname, Nachname"),
        "{message}"
    );
}

#[test]
fn mapping_files_load_with_their_errors_located() {
    let file = temp_file("map.toml", b"[columns]\nemail = \"E\"\nfirst = \"F\"\n");
    let err = Mapping::load(&file.path).unwrap_err().to_string();
    assert!(err.starts_with(&file.path.display().to_string()), "{err}");
    assert!(
        err.contains(": line 3: unknown key `columns.first`"),
        "{err}"
    );
    assert!(
        Field::ALL
            .iter()
            .all(|f| f.as_str() == "id" || f.as_str() == "observed_at" || err.contains(f.as_str()))
    );
}

#[test]
fn values_that_do_not_normalise_are_kept_with_a_warning() {
    let bytes = csv(&[
        "email,first_name,last_name,company_name,phone,country,employees,linkedin_url,website",
        "ann@acme.com,Ann,Lee,Acme,call me,Atlantis,lots,https://www.linkedin.com/company/acme,not a site",
    ]);
    let out = import_bytes("x.csv", &bytes, &ImportOptions::default());
    let r = &out.accepted[0];
    let fields: Vec<Field> = r.warnings.iter().filter_map(|w| w.field).collect();
    assert_eq!(
        fields,
        vec![
            Field::LinkedinUrl,
            Field::Country,
            Field::Phone,
            Field::Website,
            Field::Employees,
        ]
    );
    assert_eq!(r.person.phone.as_ref().unwrap().raw, "call me");
    assert_eq!(r.person.country.as_ref().unwrap().raw, "Atlantis");
    assert!(r.person.country.as_ref().unwrap().get().is_none());
    assert_eq!(
        r.warnings[0].to_string(),
        "linkedin_url (column \"linkedin_url\"): not a valid LinkedIn profile URL \
         \"https://www.linkedin.com/company/acme\": not a profile (/in/…) address"
    );
    assert_eq!(out.summary.warnings, 5);
}
