//! Every preset through every encoding and delimiter, with the malformed-row cases: each
//! vendor's header, a row with a quoted line break, a blank line, a row without identity, a
//! short row and a long row with a surplus value. The preset must be detected, the
//! accounting must hold, and the rejections must be exactly the two bad rows.

use leadgate_connectors::import::{ImportOptions, Preset, RejectReason};

use crate::support::{DELIMITERS, ENCODINGS, encode, import_bytes, line};

struct Layout {
    preset: Preset,
    header: &'static [&'static str],
    /// The columns of: identity (e-mail or profile URL), first name, last name, company,
    /// title.
    identity: &'static str,
    first: &'static str,
    last: &'static str,
    company: &'static str,
    title: &'static str,
}

const LAYOUTS: [Layout; 5] = [
    Layout {
        preset: Preset::Apollo,
        header: &[
            "First Name",
            "Last Name",
            "Title",
            "Company",
            "Email",
            "# Employees",
            "Person Linkedin Url",
            "Apollo Contact Id",
        ],
        identity: "Email",
        first: "First Name",
        last: "Last Name",
        company: "Company",
        title: "Title",
    },
    Layout {
        preset: Preset::SalesNavigator,
        header: &[
            "First Name",
            "Last Name",
            "Job Title",
            "Company Name",
            "Profile URL",
            "Sales Navigator URL",
            "Company Headcount",
            "Date Added",
        ],
        identity: "Profile URL",
        first: "First Name",
        last: "Last Name",
        company: "Company Name",
        title: "Job Title",
    },
    Layout {
        preset: Preset::HubSpot,
        header: &[
            "Record ID",
            "First Name",
            "Last Name",
            "Email",
            "Job Title",
            "Company Name",
            "Lifecycle Stage",
            "Country/Region",
        ],
        identity: "Email",
        first: "First Name",
        last: "Last Name",
        company: "Company Name",
        title: "Job Title",
    },
    Layout {
        preset: Preset::Salesforce,
        header: &[
            "Lead ID",
            "First Name",
            "Last Name",
            "Title",
            "Company / Account",
            "Email",
            "Lead Source",
            "Lead Owner",
        ],
        identity: "Email",
        first: "First Name",
        last: "Last Name",
        company: "Company / Account",
        title: "Title",
    },
    Layout {
        preset: Preset::Generic,
        header: &[
            "id",
            "first_name",
            "last_name",
            "title",
            "company_name",
            "email",
            "city",
            "country",
        ],
        identity: "email",
        first: "first_name",
        last: "last_name",
        company: "company_name",
        title: "title",
    },
];

impl Layout {
    fn row(
        &self,
        identity: &str,
        first: &str,
        last: &str,
        company: &str,
        title: &str,
    ) -> Vec<String> {
        self.header
            .iter()
            .map(|&h| {
                let v = if h == self.identity {
                    identity
                } else if h == self.first {
                    first
                } else if h == self.last {
                    last
                } else if h == self.company {
                    company
                } else if h == self.title {
                    title
                } else {
                    ""
                };
                v.to_string()
            })
            .collect()
    }

    fn identity(&self, n: u32) -> String {
        if self.identity == "Profile URL" {
            format!("https://www.linkedin.com/in/person-{n}")
        } else {
            format!("person{n}@zoë-example.com").replace('ë', "e")
        }
    }

    /// The fields the short row keeps: up to its identity.
    fn short_len(&self) -> usize {
        1 + self
            .header
            .iter()
            .position(|&h| h == self.identity)
            .unwrap()
    }

    /// The file: header, a row with a quoted line break, a blank line, a row without
    /// identity, a short row, a long row.
    fn file(&self, delimiter: u8) -> String {
        let lines = [
            self.header.to_vec().iter().map(|s| s.to_string()).collect(),
            self.row(
                &self.identity(1),
                "Zoë",
                "Müller",
                "Acme, Inc.",
                "Head of\nSales",
            ),
            Vec::new(),
            self.row("", "Ann", "", "", "Engineer"),
            self.row(&self.identity(3), "Bo", "Berg", "Berg; AB", "CTO")[..self.short_len()]
                .to_vec(),
            {
                let mut long = self.row(&self.identity(4), "Cy", "Cole", "Cole | Co", "CFO");
                long.push("surplus".into());
                long
            },
        ];
        let mut text = String::new();
        for fields in &lines {
            let fields: Vec<&str> = fields.iter().map(String::as_str).collect();
            text.push_str(&line(&fields, delimiter));
            text.push_str("\r\n");
        }
        text
    }
}

#[test]
fn every_preset_in_every_encoding_and_delimiter() {
    for layout in &LAYOUTS {
        for encoding in ENCODINGS {
            for delimiter in DELIMITERS {
                let context = format!("{:?} {encoding} {:?}", layout.preset, char::from(delimiter));
                let bytes = encode(&layout.file(delimiter), encoding);
                let out = import_bytes("export.csv", &bytes, &ImportOptions::default());
                let s = &out.summary;
                assert_eq!(s.preset, Some(layout.preset), "{context}");
                assert_eq!(s.delimiter, Some(delimiter), "{context}");
                assert_eq!(
                    (s.rows_read, s.accepted, s.rejected, s.blank_lines),
                    (4, 2, 2, 1),
                    "{context}"
                );
                let rejected: Vec<(u64, u64)> =
                    out.rejected.iter().map(|r| (r.row, r.line)).collect();
                assert_eq!(rejected, vec![(2, 5), (4, 7)], "{context}");
                assert!(
                    matches!(out.rejected[0].reason, RejectReason::NoIdentity { .. }),
                    "{context}"
                );
                assert_eq!(
                    out.rejected[1].reason,
                    RejectReason::TooManyFields {
                        found: 9,
                        expected: 8
                    },
                    "{context}"
                );
                let first = &out.accepted[0];
                assert_eq!((first.row, first.line), (1, 2), "{context}");
                assert_eq!(
                    first.person.title.as_deref(),
                    Some("Head of\nSales"),
                    "{context}"
                );
                assert_eq!(first.person.given_name.as_deref(), Some("Zoë"), "{context}");
                assert_eq!(
                    first.company.name.as_ref().unwrap().raw,
                    "Acme, Inc.",
                    "{context}"
                );
                let short = &out.accepted[1];
                assert_eq!((short.row, short.line), (3, 6), "{context}");
                let expected = format!("{} of the header's 8", layout.short_len());
                assert!(
                    short.warnings.iter().any(|w| w.message.contains(&expected)),
                    "{context}: {:?}",
                    short.warnings
                );
            }
        }
    }
}
