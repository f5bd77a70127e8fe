//! The fields of a prospect: what a column of an export can fill, and the name each goes by
//! everywhere after that. The importers map a vendor's column ("Person Linkedin Url") to a
//! [`Field`]; a stored record's facts are keyed by the field's name (`linkedin_url`); the
//! profile of a contact and of its company are built from those facts. One enum keeps the
//! three spelling each name the same way.

crate::values! {
    /// A field of a prospect record that a column can fill. Its name ([`Field::as_str`]) is
    /// the key of a mapping file's `[columns]` table and of a stored record's facts.
    pub enum Field("field") {
        /// The source's own id of the record.
        RecordId = "id" / "record id",
        /// When the source last saw the values.
        ObservedAt = "observed_at" / "observed at",
        FirstName = "first_name" / "first name",
        LastName = "last_name" / "last name",
        FullName = "full_name" / "full name",
        Email = "email" / "e-mail",
        Phone = "phone" / "phone",
        MobilePhone = "mobile_phone" / "mobile phone",
        Title = "title" / "job title",
        LinkedinUrl = "linkedin_url" / "LinkedIn URL",
        City = "city" / "city",
        Region = "region" / "region",
        Country = "country" / "country",
        /// A free-text location ("Toronto, Ontario, Canada", "Greater Boston").
        Location = "location" / "location",
        CompanyName = "company_name" / "company name",
        CompanyDomain = "company_domain" / "company domain",
        Website = "website" / "website",
        Industry = "industry" / "industry",
        Employees = "employees" / "employee count",
        Revenue = "revenue" / "revenue",
        Technologies = "technologies" / "technologies",
        CompanyPhone = "company_phone" / "company phone",
        CompanyCountry = "company_country" / "company country",
        CompanyLinkedinUrl = "company_linkedin_url" / "company LinkedIn URL",
    }
}

impl Field {
    /// The field's position in [`Field::ALL`]: an index into per-field tables.
    pub fn index(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_s_index_is_its_place_in_the_list() {
        for (i, field) in Field::ALL.iter().enumerate() {
            assert_eq!(field.index(), i);
        }
    }

    #[test]
    fn names_read_back() {
        assert_eq!("company_domain".parse::<Field>(), Ok(Field::CompanyDomain));
        assert_eq!(Field::RecordId.to_string(), "id");
        assert!("job_title".parse::<Field>().is_err());
    }
}
