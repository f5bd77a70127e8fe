//! Stage 5's rules: handing a lead to sales. The clock a rep is held to: a working calendar
//! ([`calendar`]) — a time zone, weekly hours in opening-hours syntax ([`hours`]), public
//! holidays by country and region ([`holidays`]), days off — and SLA deadlines in business
//! time on it, each with its explanation ([`sla`]); who gets a lead ([`routing`]): rules in
//! order, first match, each decision explained; which engagement is a hand raised
//! ([`intent`]); a task's standing ([`task`]) and how the team keeps its SLA ([`report`]).

pub mod calendar;
pub mod holidays;
pub mod hours;
pub mod intent;
pub mod report;
pub mod routing;
pub mod sla;
pub mod task;
