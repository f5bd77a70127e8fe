//! The SLA report: how reps keep their deadlines — by rep and by lead class, the share of
//! leads acknowledged in time, and the median and 90th percentile of the business time it
//! took. A task still open and not yet due is not counted: it can still be kept.

use std::collections::BTreeMap;

use jiff::Timestamp;
use serde::Serialize;

use super::sla::LeadClass;

/// What the report reads of one task.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The rep the task was for (none: the queue).
    pub rep: Option<String>,
    pub class: LeadClass,
    pub due_at: Timestamp,
    pub acknowledged_at: Option<Timestamp>,
    /// Business minutes from the start of the clock to the acknowledgement.
    pub ack_minutes: Option<i64>,
    /// Its deadline passed unacknowledged.
    pub breached: bool,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// A rep (or `(queue)`), or `all`.
    pub rep: String,
    /// A class, or none for every class.
    pub class: Option<LeadClass>,
    /// Tasks that can be judged: acknowledged, or past their deadline.
    pub judged: usize,
    pub in_time: usize,
    pub late: usize,
    /// `in_time / judged`, none when nothing is judged yet.
    pub compliance: Option<f64>,
    pub median_minutes: Option<i64>,
    pub p90_minutes: Option<i64>,
}

/// The report at `now`: a line per rep and class, a line per rep, and one for everyone.
pub fn report(outcomes: &[Outcome], now: Timestamp) -> Vec<Line> {
    let mut groups: BTreeMap<(String, Option<LeadClass>), Vec<&Outcome>> = BTreeMap::new();
    for o in outcomes {
        let judged = o.acknowledged_at.is_some() || o.breached || now > o.due_at;
        if !judged {
            continue;
        }
        let rep = o.rep.clone().unwrap_or_else(|| "(queue)".to_string());
        for key in [
            (rep.clone(), Some(o.class)),
            (rep.clone(), None),
            ("all".to_string(), Some(o.class)),
            ("all".to_string(), None),
        ] {
            groups.entry(key).or_default().push(o);
        }
    }
    let mut lines: Vec<Line> = groups
        .into_iter()
        .map(|((rep, class), tasks)| {
            let in_time = tasks
                .iter()
                .filter(|o| o.acknowledged_at.is_some_and(|at| at <= o.due_at) && !o.breached)
                .count();
            let mut minutes: Vec<i64> = tasks.iter().filter_map(|o| o.ack_minutes).collect();
            minutes.sort_unstable();
            Line {
                rep,
                class,
                judged: tasks.len(),
                in_time,
                late: tasks.len() - in_time,
                compliance: Some(in_time as f64 / tasks.len() as f64),
                median_minutes: percentile(&minutes, 0.5),
                p90_minutes: percentile(&minutes, 0.9),
            }
        })
        .collect();
    // Everyone last, each rep's overall line after their classes.
    lines.sort_by(|a, b| {
        (
            a.rep == "all",
            &a.rep,
            a.class.is_none(),
            a.class.map(LeadClass::as_str),
        )
            .cmp(&(
                b.rep == "all",
                &b.rep,
                b.class.is_none(),
                b.class.map(LeadClass::as_str),
            ))
    });
    lines
}

/// The nearest-rank percentile of sorted values.
fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn acked(rep: &str, class: LeadClass, minutes: i64, late: bool) -> Outcome {
        Outcome {
            rep: Some(rep.into()),
            class,
            due_at: at("2027-03-02T22:00:00Z"),
            acknowledged_at: Some(if late {
                at("2027-03-03T15:00:00Z")
            } else {
                at("2027-03-02T16:00:00Z")
            }),
            ack_minutes: Some(minutes),
            breached: late,
        }
    }

    #[test]
    fn compliance_and_times_by_rep_and_class_leaving_out_what_can_still_be_kept() {
        let now = at("2027-03-04T12:00:00Z");
        let mut outcomes: Vec<Outcome> = (1..=10)
            .map(|m| acked("rosa", LeadClass::Warm, m * 10, m == 10))
            .collect();
        outcomes.push(acked("ned", LeadClass::Mql, 30, false));
        // Still open, due later: not judged. Open and overdue: late.
        outcomes.push(Outcome {
            rep: Some("ned".into()),
            class: LeadClass::Mql,
            due_at: at("2027-03-09T22:00:00Z"),
            acknowledged_at: None,
            ack_minutes: None,
            breached: false,
        });
        outcomes.push(Outcome {
            rep: Some("ned".into()),
            class: LeadClass::Mql,
            due_at: at("2027-03-03T22:00:00Z"),
            acknowledged_at: None,
            ack_minutes: None,
            breached: false,
        });

        let lines = report(&outcomes, now);

        let line = |rep: &str, class: Option<LeadClass>| {
            lines
                .iter()
                .find(|l| l.rep == rep && l.class == class)
                .unwrap()
                .clone()
        };
        let rosa = line("rosa", Some(LeadClass::Warm));
        assert_eq!((rosa.judged, rosa.in_time, rosa.late), (10, 9, 1));
        assert_eq!(rosa.compliance, Some(0.9));
        assert_eq!(
            (rosa.median_minutes, rosa.p90_minutes),
            (Some(50), Some(90))
        );
        let ned = line("ned", None);
        assert_eq!((ned.judged, ned.in_time), (2, 1));
        let all = line("all", None);
        assert_eq!(all.judged, 12);
        assert_eq!(lines.last().unwrap().rep, "all");
    }
}
