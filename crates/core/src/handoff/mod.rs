//! Stage 5's rules: handing a lead to sales. So far, the clock a rep is held to: a working
//! calendar ([`calendar`]) — a time zone, weekly hours in opening-hours syntax ([`hours`]),
//! public holidays by country and region ([`holidays`]), days off — and SLA deadlines in
//! business time on it, each with its explanation ([`sla`]); and who gets a lead
//! ([`routing`]): rules in order, first match, each decision explained.
//!
//! Not built yet (issue 16): the triggers, tasks and notifications, the rep's
//! acknowledgement as this stage's gate, escalation on a breach.

pub mod calendar;
pub mod holidays;
pub mod hours;
pub mod report;
pub mod routing;
pub mod sla;
pub mod task;
