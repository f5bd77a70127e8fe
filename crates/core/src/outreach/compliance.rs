//! Compliance of one message, checked like the copy and shown beside it: what the law and
//! the process require before an e-mail may go, each as a blocking finding when missing.
//!
//! - **Who may be mailed.** Stage 2 assessed every contact's jurisdiction and lawful basis
//!   ([`crate::discovery::compliance`]); a contact it blocked (suppressed, opted out, a
//!   country needing consent without it, …) gets no e-mail, whatever the sequence says.
//! - **The footer.** Every e-mail carries the sender's postal address and a visible way to
//!   opt out (CAN-SPAM §5(a)(5); GDPR Art. 21(3)); leadgate writes the footer itself
//!   ([`footer`]), so a template cannot forget it.
//! - **Where the data came from.** A first touch to a contact under the GDPR or UK GDPR says
//!   who is writing, why, and where their details came from (GDPR Art. 14, data not
//!   obtained from the person); leadgate writes that notice from the sources of the lead's
//!   facts ([`notice`]).
//!
//! The one-click unsubscribe link and headers (RFC 8058) belong to sending, which is not
//! built yet; until then the footer's opt-out is a reply.

use crate::discovery::compliance::Jurisdiction;

use super::compose::Sender;
use super::lint::{Finding, Part, Rule, Severity};

/// What stage 2 decided about mailing one contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub jurisdiction: Option<Jurisdiction>,
    /// Why the contact may not be e-mailed, when it may not.
    pub blocked: Option<String>,
    /// Where the contact's details came from, in words ("Apollo", "HubSpot").
    pub sources: Vec<String>,
}

impl Recipient {
    /// Whether a first touch must carry the notice of where the data came from.
    pub fn needs_notice(&self) -> bool {
        matches!(
            self.jurisdiction,
            Some(Jurisdiction::Gdpr | Jurisdiction::UkGdpr)
        )
    }
}

/// The words of the opt-out every e-mail's footer carries.
pub const OPT_OUT: &str =
    "If you would rather not hear from us, reply \"stop\" and we will not write again.";

/// The footer of every e-mail: who sends it, from where, and how to hear no more.
pub fn footer(sender: &Sender) -> String {
    let who: Vec<&str> = [&sender.name, &sender.company, &sender.address]
        .into_iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    format!("--\n{}\n{OPT_OUT}", who.join(" · "))
}

/// The notice of GDPR Art. 14 for a first touch: who writes, why, and where the details
/// came from.
pub fn notice(sender: &Sender, sources: &[String]) -> String {
    let from = match sources {
        [] => "a business directory".to_string(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    };
    let who = match (sender.name.trim(), sender.company.trim()) {
        ("", "") => "us".to_string(),
        (name, "") => name.to_string(),
        ("", company) => company.to_string(),
        (name, company) => format!("{name} at {company}"),
    };
    format!(
        "Why you are hearing from {who}: we found your work details in {from} and are writing \
         because your role matches what we work on. We keep only your business contact \
         details, to write to you; you can object at any time."
    )
}

/// What an e-mail (its whole text: body, notice and footer) lacks before it may go to this
/// recipient. `first_touch` is the sequence's first e-mail.
pub fn check(
    text: &str,
    first_touch: bool,
    recipient: &Recipient,
    sender: &Sender,
) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut missing = |rule, message: String| {
        out.push(Finding {
            rule,
            severity: Severity::Block,
            part: Part::Body,
            start: 0,
            end: text.len(),
            message,
        })
    };
    if let Some(why) = &recipient.blocked {
        missing(
            Rule::NotMailable,
            format!("this contact may not be e-mailed: {why}"),
        );
    }
    let address = sender.address.trim();
    if address.is_empty() || !text.contains(address) {
        missing(
            Rule::PostalAddress,
            "every e-mail carries the sender's postal address: set `address` in \
             [outreach.sender]"
                .to_string(),
        );
    }
    if !text.contains(OPT_OUT) {
        missing(
            Rule::OptOut,
            "every e-mail carries a visible way to opt out".to_string(),
        );
    }
    if first_touch && recipient.needs_notice() && !text.contains("Why you are hearing from") {
        missing(
            Rule::SourceNotice,
            "a first e-mail to a contact under the GDPR says who writes, why, and where their \
             details came from (Art. 14)"
                .to_string(),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sender() -> Sender {
        Sender {
            name: "Sam Seller".into(),
            title: "Founder".into(),
            company: "leadgate".into(),
            address: "1 Main St, Springfield".into(),
        }
    }

    fn recipient(jurisdiction: Jurisdiction) -> Recipient {
        Recipient {
            jurisdiction: Some(jurisdiction),
            blocked: None,
            sources: vec!["Apollo".into(), "HubSpot".into()],
        }
    }

    fn rules(findings: &[Finding]) -> Vec<Rule> {
        findings.iter().map(|f| f.rule).collect()
    }

    #[test]
    fn a_message_with_leadgates_footer_and_notice_passes() {
        let gdpr = recipient(Jurisdiction::Gdpr);
        let text = format!(
            "Hi Ada,\n\nShort note.\n\n{}\n\n{}",
            notice(&sender(), &gdpr.sources),
            footer(&sender())
        );

        assert_eq!(check(&text, true, &gdpr, &sender()), []);
        assert!(
            text.contains("found your work details in Apollo and HubSpot"),
            "{text}"
        );
        assert!(
            text.contains("Sam Seller · leadgate · 1 Main St, Springfield"),
            "{text}"
        );
    }

    #[test]
    fn what_is_missing_blocks() {
        let bare = "Hi Ada,\n\nShort note.";
        let no_address = Sender {
            address: String::new(),
            ..sender()
        };
        let mut blocked = recipient(Jurisdiction::CanSpam);
        blocked.blocked = Some("on the suppression list".into());

        assert_eq!(
            rules(&check(
                bare,
                true,
                &recipient(Jurisdiction::UkGdpr),
                &sender()
            )),
            [Rule::PostalAddress, Rule::OptOut, Rule::SourceNotice]
        );
        assert_eq!(
            rules(&check(
                bare,
                false,
                &recipient(Jurisdiction::Gdpr),
                &sender()
            )),
            [Rule::PostalAddress, Rule::OptOut],
            "only the first touch needs the notice"
        );
        assert_eq!(
            rules(&check(
                &footer(&no_address),
                false,
                &recipient(Jurisdiction::CanSpam),
                &no_address
            )),
            [Rule::PostalAddress]
        );
        assert_eq!(
            rules(&check(&footer(&sender()), false, &blocked, &sender())),
            [Rule::NotMailable]
        );
    }
}
