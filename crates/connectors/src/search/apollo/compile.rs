//! The ICP in Apollo's filters, one step per section of the ICP: firmographics and
//! technographics become filters every search shares, personas decide the searches (one by
//! title, one by seniority and department), and signals, intent and exclusions, which
//! Apollo cannot filter on, are listed for the ICP filter to check after import.

use leadgate_core::discovery::normalize::country;
use leadgate_core::icp::{
    Department, Exclusions, Firmographics, IcpDocument, IntentIndicator, Persona, Seniority,
    Signal, Technographics, toml_key,
};
use serde_json::{Map, Value, json};

use super::{ApolloConfig, SOURCE};
use crate::search::{CompiledQuery, CompiledSearch, Criterion, SearchError};

/// The upper end of an employee range whose ICP gives none: above every employer.
const OPEN_EMPLOYEES_MAX: i64 = 10_000_000;

/// Apollo's seniorities in the order its documentation lists them.
const SENIORITY_ORDER: [&str; 11] = [
    "owner", "founder", "c_suite", "partner", "vp", "head", "director", "manager", "senior",
    "entry", "intern",
];

/// Apollo's seniority values for a leadgate seniority: the titles leadgate's title
/// classifier puts at that level (founders, owners and partners are c_level; heads are
/// directors), in the order Apollo's documentation lists them.
pub fn apollo_seniorities(seniority: Seniority) -> &'static [&'static str] {
    match seniority {
        Seniority::CLevel => &["owner", "founder", "c_suite", "partner"],
        Seniority::Vp => &["vp"],
        Seniority::Director => &["head", "director"],
        Seniority::Manager => &["manager"],
        Seniority::Senior => &["senior"],
        Seniority::Entry => &["entry", "intern"],
    }
}

/// Apollo's department for a leadgate department, when Apollo has one of the same scope.
pub fn apollo_department(department: Department) -> Option<&'static str> {
    match department {
        Department::Sales => Some("master_sales"),
        Department::Marketing => Some("master_marketing"),
        Department::Operations => Some("master_operations"),
        Department::Engineering => Some("master_engineering_technical"),
        Department::Product => Some("product_management"),
        Department::Finance => Some("master_finance"),
        Department::Hr => Some("master_human_resources"),
        Department::It => Some("master_information_technology"),
        Department::Executive => Some("c_suite"),
        Department::Legal => Some("master_legal"),
        Department::CustomerSuccess | Department::Other => None,
    }
}

/// The ICP in Apollo's filters. Public so that a caller can show it before any key exists.
pub fn compile(icp: &IcpDocument, config: &ApolloConfig) -> Result<CompiledQuery, SearchError> {
    icp.validate(&icp.segment)?;
    let mut compiler = Compiler {
        config,
        common: Map::new(),
        searches: Vec::new(),
        pushed: Vec::new(),
        not_pushed: Vec::new(),
    };
    compiler.firmographics(&icp.firmographics);
    compiler.technographics(&icp.technographics);
    compiler.personas(&icp.personas);
    compiler.signals(&icp.signals);
    compiler.intent(&icp.intent);
    compiler.exclusions(&icp.exclusions);
    Ok(CompiledQuery {
        source: SOURCE.to_string(),
        segment: icp.segment.clone(),
        searches: compiler.searches,
        pushed_down: compiler.pushed,
        not_pushed_down: compiler.not_pushed,
    })
}

/// A query being compiled: the filters every search shares, the searches, and the criteria
/// pushed down to Apollo or left to the ICP filter.
struct Compiler<'a> {
    config: &'a ApolloConfig,
    /// The company filters, shared by every search; complete before the personas compile.
    common: Map<String, Value>,
    searches: Vec<CompiledSearch>,
    pushed: Vec<Criterion>,
    not_pushed: Vec<Criterion>,
}

impl Compiler<'_> {
    fn push(&mut self, criterion: &str, detail: String) {
        self.pushed.push(Criterion {
            criterion: criterion.to_string(),
            detail,
        });
    }

    fn skip(&mut self, criterion: &str, detail: &str) {
        self.not_pushed.push(Criterion {
            criterion: criterion.to_string(),
            detail: detail.to_string(),
        });
    }

    /// A filter every search shares.
    fn common(&mut self, key: &str, value: Value) {
        self.common.insert(key.into(), value);
    }

    /// Size, industry, place and revenue are company filters; growth is not one.
    fn firmographics(&mut self, f: &Firmographics) {
        if let Some(bounds) = &f.employees {
            let min = bounds.min.unwrap_or(1).max(1);
            let max = bounds.max.unwrap_or(OPEN_EMPLOYEES_MAX).max(min);
            let range = format!("{min},{max}");
            self.push(
                "firmographics.employees",
                format!("organization_num_employees_ranges [{range:?}]"),
            );
            self.common("organization_num_employees_ranges", json!([range]));
        }
        if !f.industries.is_empty() {
            self.industries(&f.industries);
        }
        if !f.countries.is_empty() || !f.regions.is_empty() {
            let places = location_names(f);
            self.push(
                "firmographics.location",
                format!(
                    "organization_locations: {} countr{} of the company's headquarters",
                    places.len(),
                    if places.len() == 1 { "y" } else { "ies" }
                ),
            );
            self.common("organization_locations", json!(places));
        }
        if let Some(bounds) = &f.revenue_usd {
            let mut range = Map::new();
            if let Some(min) = bounds.min {
                range.insert("min".into(), json!(min));
            }
            if let Some(max) = bounds.max {
                range.insert("max".into(), json!(max));
            }
            self.push(
                "firmographics.revenue_usd",
                format!("revenue_range {}", Value::Object(range.clone())),
            );
            self.common("revenue_range", Value::Object(range));
        }
        if f.headcount_growth_pct.is_some() {
            self.skip(
                "firmographics.headcount_growth_pct",
                "People API Search has no headcount-growth filter",
            );
        }
    }

    fn industries(&mut self, industries: &[String]) {
        if !self.config.industries_as_keywords {
            self.skip(
                "firmographics.industries",
                "industries_as_keywords is off, and People API Search has no industry-name filter",
            );
            return;
        }
        let tags: Vec<String> = industries.iter().map(|i| i.trim().to_lowercase()).collect();
        self.push(
            "firmographics.industries",
            "q_organization_keyword_tags: Apollo matches company keyword tags, not the \
             industry itself, so the industry is checked again after import"
                .to_string(),
        );
        self.common("q_organization_keyword_tags", json!(tags));
    }

    /// Each list of tools is a filter of technology uids.
    fn technographics(&mut self, t: &Technographics) {
        for (list, key, criterion) in [
            (
                &t.any,
                "currently_using_any_of_technology_uids",
                "technographics.any",
            ),
            (
                &t.all,
                "currently_using_all_of_technology_uids",
                "technographics.all",
            ),
            (
                &t.none,
                "currently_not_using_any_of_technology_uids",
                "technographics.none",
            ),
        ] {
            if list.is_empty() {
                continue;
            }
            let uids: Vec<String> = list
                .iter()
                .map(|n| technology_uid(n, self.config))
                .collect();
            self.push(
                criterion,
                format!("{key} {}", serde_json::to_string(&uids).unwrap_or_default()),
            );
            self.common(key, json!(uids));
        }
    }

    /// The searches: one for the personas that match by title, one for those that match by
    /// seniority and department (Apollo ANDs different filters, and a persona matches by
    /// either), or one for everyone at the matching companies when the ICP has no personas.
    fn personas(&mut self, personas: &[Persona]) {
        let by_title: Vec<&Persona> = personas.iter().filter(|p| !p.titles.is_empty()).collect();
        let by_role: Vec<&Persona> = personas
            .iter()
            .filter(|p| !p.seniority.is_empty() || !p.departments.is_empty())
            .collect();
        if !by_title.is_empty() {
            self.search_by_title(&by_title);
        }
        if !by_role.is_empty() {
            self.search_by_role(&by_role);
        }
        if personas.is_empty() {
            self.searches.push(CompiledSearch {
                label: "everyone at the matching companies (the ICP has no personas)".to_string(),
                filters: self.common.clone(),
            });
        } else {
            let count = self.searches.len();
            self.push(
                "personas",
                format!(
                    "person_titles, person_seniorities and person_department_or_subdepartments \
                     in {count} search{}; Apollo also returns similar titles, so the persona is \
                     checked again after import",
                    if count == 1 { "" } else { "es" }
                ),
            );
        }
    }

    fn search_by_title(&mut self, personas: &[&Persona]) {
        let mut titles = Vec::new();
        for title in personas.iter().flat_map(|p| &p.titles) {
            push_unique(&mut titles, title.trim());
        }
        let mut filters = Map::new();
        filters.insert("person_titles".into(), json!(titles));
        self.search(format!("personas by title ({})", names(personas)), filters);
    }

    fn search_by_role(&mut self, personas: &[&Persona]) {
        let mut filters = Map::new();
        let seniorities = self.role_seniorities(personas);
        let departments = self.role_departments(personas);
        let pushed_any = seniorities.is_some() || departments.is_some();
        if let Some(seniorities) = seniorities {
            filters.insert("person_seniorities".into(), seniorities);
        }
        if let Some(departments) = departments {
            filters.insert("person_department_or_subdepartments".into(), departments);
        }
        if personas.len() > 1 && pushed_any {
            self.skip(
                "personas (pairs)",
                "the personas' seniorities and departments are combined in one search (any of \
                 the seniorities in any of the departments); which pairs belong together is \
                 checked after import",
            );
        }
        self.search(
            format!("personas by seniority and department ({})", names(personas)),
            filters,
        );
    }

    /// Apollo's seniorities of the personas, unless one persona takes every seniority.
    fn role_seniorities(&mut self, personas: &[&Persona]) -> Option<Value> {
        if let Some(without) = personas.iter().find(|p| p.seniority.is_empty()) {
            self.skip(
                "personas (seniority)",
                &format!(
                    "persona {} lists no seniority, so the search by seniority and department \
                     takes every seniority",
                    without.name
                ),
            );
            return None;
        }
        let mut seniorities: Vec<&str> = Vec::new();
        for s in personas.iter().flat_map(|p| &p.seniority) {
            seniorities.extend(apollo_seniorities(*s));
        }
        let sorted: Vec<&str> = SENIORITY_ORDER
            .into_iter()
            .filter(|s| seniorities.contains(s))
            .collect();
        Some(json!(sorted))
    }

    /// Apollo's departments of the personas, unless one persona takes every department or
    /// names one Apollo does not have.
    fn role_departments(&mut self, personas: &[&Persona]) -> Option<Value> {
        let unmapped = personas
            .iter()
            .flat_map(|p| &p.departments)
            .find(|d| apollo_department(**d).is_none());
        if let Some(without) = personas.iter().find(|p| p.departments.is_empty()) {
            self.skip(
                "personas (departments)",
                &format!(
                    "persona {} lists no department, so the search by seniority and department \
                     takes every department",
                    without.name
                ),
            );
            return None;
        }
        if let Some(d) = unmapped {
            self.skip(
                "personas (departments)",
                &format!(
                    "Apollo has no department that matches {d}, so the search by seniority and \
                     department takes every department"
                ),
            );
            return None;
        }
        let mut departments: Vec<String> = Vec::new();
        for d in personas.iter().flat_map(|p| &p.departments) {
            if let Some(name) = apollo_department(*d) {
                push_unique(&mut departments, name);
            }
        }
        Some(json!(departments))
    }

    /// A search: its own filters and the shared ones.
    fn search(&mut self, label: String, mut filters: Map<String, Value>) {
        filters.extend(self.common.clone());
        self.searches.push(CompiledSearch { label, filters });
    }

    fn signals(&mut self, signals: &[Signal]) {
        for signal in signals {
            self.skip(
                &format!("signals.{}", signal.kind),
                "behavioural signals are seen on our own properties, not in Apollo",
            );
        }
    }

    fn intent(&mut self, intent: &[IntentIndicator]) {
        for indicator in intent {
            self.skip(
                &format!("intent.{}", toml_key(&indicator.topic)),
                "third-party intent is not a People API Search filter",
            );
        }
    }

    fn exclusions(&mut self, e: &Exclusions) {
        if !e.domains.is_empty() {
            self.skip(
                "exclusions.domains",
                "People API Search documents no filter that excludes employers' domains",
            );
        }
        if !e.competitors.is_empty() {
            self.skip(
                "exclusions.competitors",
                "People API Search documents no filter that excludes employers' domains",
            );
        }
        if e.existing_customers {
            self.skip(
                "exclusions.existing_customers",
                "who is a customer is known to the CRM, not to Apollo",
            );
        }
    }
}

/// The countries and regions of the ICP as Apollo's location filter takes them: English
/// names in lower case, each once.
fn location_names(f: &Firmographics) -> Vec<String> {
    let mut codes: Vec<&str> = f.countries.iter().map(String::as_str).collect();
    for region in &f.regions {
        codes.extend(region.countries());
    }
    let mut places = Vec::new();
    for code in codes {
        // Every code the ICP reader accepts has a name; the check keeps input from ever
        // panicking here.
        if let Some(name) = country::english_name(code) {
            push_unique(&mut places, &name.to_lowercase());
        }
    }
    places
}

/// Apollo's technology uid for a tool name: the configured one, else the name in lower case
/// with spaces and periods as underscores (`WordPress.org` → `wordpress_org`).
fn technology_uid(name: &str, config: &ApolloConfig) -> String {
    if let Some(uid) = config
        .technology_uids
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name.trim()))
        .map(|(_, v)| v)
    {
        return uid.clone();
    }
    name.trim()
        .to_lowercase()
        .chars()
        .map(|c| if c == ' ' || c == '.' { '_' } else { c })
        .collect()
}

/// Pushes distinct strings, keeping the first spelling of each (compared ignoring case).
fn push_unique(list: &mut Vec<String>, item: &str) {
    if !list.iter().any(|x| x.eq_ignore_ascii_case(item)) {
        list.push(item.to_string());
    }
}

fn names(personas: &[&Persona]) -> String {
    personas
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use leadgate_core::icp::Region;

    use super::*;

    #[test]
    fn technology_uids_follow_apollos_rule() {
        let mut config = ApolloConfig::default();
        assert_eq!(
            technology_uid("Google Analytics", &config),
            "google_analytics"
        );
        assert_eq!(technology_uid("WordPress.org", &config), "wordpress_org");
        config
            .technology_uids
            .insert("Google Tag Manager".into(), "gtm".into());
        assert_eq!(technology_uid("google tag manager", &config), "gtm");
    }

    #[test]
    fn locations_are_english_names_in_lower_case_each_once() {
        // Arrange
        let firmographics = Firmographics {
            countries: vec!["GB".into(), "CI".into(), "US".into()],
            regions: vec![Region::NorthAmerica],
            ..Firmographics::default()
        };

        // Act
        let places = location_names(&firmographics);

        // Assert
        assert_eq!(
            places,
            ["united kingdom", "cote d'ivoire", "united states", "canada"]
        );
    }
}
