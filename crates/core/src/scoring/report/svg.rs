//! The report's charts as self-contained SVG, drawn here rather than by a charting library
//! so the CLI's HTML file, the web page and a stored report all show the same picture with
//! no JavaScript and no network. Each chart has `role="img"`, a `<title>` and a `<desc>`
//! that says in words what the picture shows, labelled axes, a `viewBox` and no fixed
//! width (it scales to its container and stays readable on a 390 px phone), and colours
//! with at least 4.5:1 contrast on white; points carry their sign in text too, so no
//! reading depends on colour alone.
//!
//! Ids are prefixed with the `id` argument so several charts can sit inline in one page.

use std::fmt::Write as _;

use super::text::{pct, points};
use super::{CalibrationReport, LiftRow, PointsRow, PointsTerm};
use crate::scoring::metrics::ReliabilityBin;

/// Near-black text: 16.7:1 on white.
const INK: &str = "#111827";
/// Axes and secondary text: 7.6:1.
const AXIS: &str = "#4b5563";
/// Reference lines (the diagonal, lift 1): 4.8:1, drawn dashed.
const REFERENCE: &str = "#6b7280";
/// The background and the gaps between heat-table cells.
const WHITE: &str = "#ffffff";
/// Light grid lines; decoration only, nothing is read from them.
const GRID: &str = "#e5e7eb";
/// The model's series and positive points: 6.7:1.
const BLUE: &str = "#1d4ed8";
/// Negative points: 6.5:1.
const RED: &str = "#b91c1c";

const WIDTH: f64 = 420.0;
const FONT: f64 = 13.0;

/// One chart of the report.
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Unique within the report: usable as an HTML id.
    pub id: String,
    pub title: String,
    pub svg: String,
}

impl CalibrationReport {
    /// Every chart of the report, in reading order.
    pub fn charts(&self) -> Vec<Chart> {
        let mut charts = Vec::new();
        let mut push =
            |id: String, title: String, svg: String| charts.push(Chart { id, title, svg });
        if !self.cross_validated.reliability.is_empty() {
            let title = "Reliability, cross-validated".to_string();
            push(
                "chart-reliability".into(),
                title.clone(),
                reliability_chart(
                    &self.cross_validated.reliability,
                    &title,
                    "chart-reliability",
                ),
            );
        }
        if !self.cross_validated.lift.is_empty() {
            push(
                "chart-gains".into(),
                "Cumulative gains".into(),
                gains_chart(&self.cross_validated.lift, "chart-gains"),
            );
            push(
                "chart-lift".into(),
                "Lift by decile".into(),
                lift_chart(&self.cross_validated.lift, "chart-lift"),
            );
        }
        if let Some(oot) = &self.out_of_time
            && !oot.test.reliability.is_empty()
        {
            let title = "Reliability, newest window".to_string();
            push(
                "chart-reliability-oot".into(),
                title.clone(),
                reliability_chart(&oot.test.reliability, &title, "chart-reliability-oot"),
            );
        }
        for (i, term) in self.points.iter().enumerate() {
            let id = format!("chart-points-{}", i + 1);
            match term {
                PointsTerm::Main { feature, rows } => {
                    push(
                        id.clone(),
                        format!("Points: {feature}"),
                        points_chart(feature, rows, &id),
                    );
                }
                PointsTerm::Pair {
                    a,
                    b,
                    a_labels,
                    b_labels,
                    points,
                } => {
                    push(
                        id.clone(),
                        format!("Points: {a} × {b}"),
                        pair_chart(a, b, a_labels, b_labels, points, &id),
                    );
                }
            }
        }
        charts
    }
}

/// Predicted against observed conversion per bin, with the observed rate's 95% interval
/// as a whisker and the diagonal of perfect calibration. The axes stop a little above the
/// highest value shown, so a model whose probabilities sit near a 5 % base rate is not
/// squeezed into a corner.
pub fn reliability_chart(bins: &[ReliabilityBin], title: &str, id: &str) -> String {
    let top = bins
        .iter()
        .flat_map(|b| [b.mean_predicted, b.observed_high])
        .fold(0.0_f64, f64::max);
    let axis = Axis::nice(top);
    let max = axis.max;
    let plot = Plot::square();
    let within = bins
        .iter()
        .filter(|b| (b.observed_low..=b.observed_high).contains(&b.mean_predicted))
        .count();
    let desc = format!(
        "Each dot is a group of leads: across, the conversion the model predicted for them; \
         up, the share that converted, with its 95% interval. Dots on the dashed diagonal \
         are perfectly calibrated. {within} of {} groups have the predicted rate inside the \
         observed interval.",
        bins.len()
    );
    let mut svg = open(id, title, &desc, plot.height);
    plot.axes(
        &mut svg,
        axis,
        "Predicted conversion",
        "Observed conversion",
    );
    let (x0, y0) = plot.at(0.0, 0.0, max, max);
    let (x1, y1) = plot.at(max, max, max, max);
    let _ = writeln!(
        svg,
        r#"<line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" stroke="{REFERENCE}" stroke-width="1.5" stroke-dasharray="5 4"/>"#
    );
    for b in bins {
        let (x, y) = plot.at(b.mean_predicted, b.observed_rate, max, max);
        let (_, low) = plot.at(0.0, b.observed_low.min(max), max, max);
        let (_, high) = plot.at(0.0, b.observed_high.min(max), max, max);
        let _ = writeln!(
            svg,
            r#"<g><title>{} leads: predicted {}, observed {} (95% interval {} to {})</title><line x1="{x:.1}" y1="{low:.1}" x2="{x:.1}" y2="{high:.1}" stroke="{BLUE}" stroke-width="1.5"/><circle cx="{x:.1}" cy="{y:.1}" r="4" fill="{BLUE}"/></g>"#,
            b.count,
            pct(b.mean_predicted),
            pct(b.observed_rate),
            pct(b.observed_low),
            pct(b.observed_high)
        );
    }
    close(svg)
}

/// Share of all conversions reached by contacting the top-scored deciles, against the
/// diagonal of contacting leads at random.
pub fn gains_chart(lift: &[LiftRow], id: &str) -> String {
    let plot = Plot::square();
    let reached_at_30 = lift
        .iter()
        .find(|r| r.cumulative_lead_share >= 0.3 - 1e-9)
        .map(|r| (r.cumulative_lead_share, r.cumulative_conversion_share));
    let summary = reached_at_30
        .map(|(leads, conversions)| {
            format!(
                " The top {} of leads hold {} of the conversions.",
                pct(leads),
                pct(conversions)
            )
        })
        .unwrap_or_default();
    let desc = format!(
        "Across, the share of leads contacted, best-scored first; up, the share of all \
         conversions they hold. The dashed diagonal is contacting at random; the further \
         the line bows above it, the better the ranking.{summary}"
    );
    let mut svg = open(id, "Cumulative gains", &desc, plot.height);
    plot.axes(
        &mut svg,
        Axis::nice(1.0),
        "Share of leads contacted",
        "Share of conversions",
    );
    let (x0, y0) = plot.at(0.0, 0.0, 1.0, 1.0);
    let (x1, y1) = plot.at(1.0, 1.0, 1.0, 1.0);
    let _ = writeln!(
        svg,
        r#"<line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" stroke="{REFERENCE}" stroke-width="1.5" stroke-dasharray="5 4"/>"#
    );
    let mut path = format!("M{x0:.1},{y0:.1}");
    for r in lift {
        let (x, y) = plot.at(
            r.cumulative_lead_share,
            r.cumulative_conversion_share,
            1.0,
            1.0,
        );
        let _ = write!(path, " L{x:.1},{y:.1}");
    }
    let _ = writeln!(
        svg,
        r#"<path d="{path}" fill="none" stroke="{BLUE}" stroke-width="2.5"/>"#
    );
    for r in lift {
        let (x, y) = plot.at(
            r.cumulative_lead_share,
            r.cumulative_conversion_share,
            1.0,
            1.0,
        );
        let _ = writeln!(
            svg,
            r#"<circle cx="{x:.1}" cy="{y:.1}" r="3.5" fill="{BLUE}"><title>Top {} of leads: {} of conversions</title></circle>"#,
            pct(r.cumulative_lead_share),
            pct(r.cumulative_conversion_share)
        );
    }
    close(svg)
}

/// Lift of each decile as a bar, with the dashed line of lift 1 (the base rate).
pub fn lift_chart(lift: &[LiftRow], id: &str) -> String {
    let plot = Plot::square();
    let axis = Axis::nice(lift.iter().map(|r| r.lift).fold(1.0, f64::max));
    let max = axis.max;
    let top = lift.first().map(|r| r.lift).unwrap_or(0.0);
    let desc = format!(
        "One bar per tenth of leads, best-scored first: its conversion rate divided by the \
         base rate. The dashed line at 1 is the base rate. The top tenth converts at {top:.1} \
         times the base rate."
    );
    let mut svg = open(id, "Lift by decile", &desc, plot.height);
    plot.axes_with(
        &mut svg,
        axis,
        "Decile (1 = best-scored tenth)",
        "Lift",
        |v| format!("{v:.1}"),
        false,
    );
    let slot = plot.width / lift.len().max(1) as f64;
    for (i, r) in lift.iter().enumerate() {
        let (_, y) = plot.at(0.0, r.lift.min(max), 1.0, max);
        let (_, base) = plot.at(0.0, 0.0, 1.0, max);
        let x = plot.left + slot * i as f64 + slot * 0.15;
        let _ = writeln!(
            svg,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{BLUE}"><title>Decile {}: {} converted, lift {:.2}</title></rect>"#,
            slot * 0.7,
            (base - y).max(0.0),
            r.decile,
            pct(r.conversion_rate),
            r.lift
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="{}" fill="{AXIS}" text-anchor="middle">{}</text>"#,
            x + slot * 0.35,
            base + FONT + 4.0,
            FONT - 1.0,
            r.decile
        );
    }
    let (x0, y1) = plot.at(0.0, 1.0, 1.0, max);
    let _ = writeln!(
        svg,
        r#"<line x1="{x0:.1}" y1="{y1:.1}" x2="{:.1}" y2="{y1:.1}" stroke="{REFERENCE}" stroke-width="1.5" stroke-dasharray="5 4"/>"#,
        plot.left + plot.width
    );
    close(svg)
}

/// One main term's points as horizontal bars from a zero line, one per bin, with the
/// points written at the right so the sign is read, not inferred from colour.
pub fn points_chart(feature: &str, rows: &[PointsRow], id: &str) -> String {
    const ROW: f64 = 24.0;
    const LABEL_RIGHT: f64 = 150.0;
    const BAR_LEFT: f64 = 158.0;
    const BAR_RIGHT: f64 = 360.0;
    let top = 30.0;
    let height = top + ROW * rows.len() as f64 + 24.0;
    let low = rows.iter().map(|r| r.points).fold(0.0_f64, f64::min);
    let high = rows.iter().map(|r| r.points).fold(0.0_f64, f64::max);
    let span = (high - low).max(1e-9);
    let x_of = |v: f64| BAR_LEFT + (v - low) / span * (BAR_RIGHT - BAR_LEFT);
    let best = rows.iter().max_by(|a, b| a.points.total_cmp(&b.points));
    let worst = rows.iter().min_by(|a, b| a.points.total_cmp(&b.points));
    let range = match (best, worst) {
        (Some(b), Some(w)) => format!(
            " From {} for {} to {} for {}.",
            points(w.points),
            w.label,
            points(b.points),
            b.label
        ),
        _ => String::new(),
    };
    let desc = format!(
        "The points a lead gets from {feature}, one bar per bin; bars right of the zero line \
         add points, bars left of it take points away.{range}"
    );
    let mut svg = open(id, &format!("Points: {feature}"), &desc, height);
    let zero = x_of(0.0);
    let _ = writeln!(
        svg,
        r#"<text x="{LABEL_RIGHT}" y="18" font-size="{FONT}" fill="{AXIS}" text-anchor="end">{}</text><text x="{:.1}" y="18" font-size="{FONT}" fill="{AXIS}" text-anchor="middle">Points</text>"#,
        escape(&truncate(feature, 20)),
        (BAR_LEFT + BAR_RIGHT) / 2.0
    );
    for (i, r) in rows.iter().enumerate() {
        let y = top + ROW * i as f64;
        let (x, width) = if r.points >= 0.0 {
            (zero, x_of(r.points) - zero)
        } else {
            (x_of(r.points), zero - x_of(r.points))
        };
        let colour = if r.points >= 0.0 { BLUE } else { RED };
        let _ = writeln!(
            svg,
            r#"<g><title>{}: {} points ({} of leads)</title><text x="{LABEL_RIGHT}" y="{:.1}" font-size="{FONT}" fill="{INK}" text-anchor="end">{}</text><rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}"/><text x="{WIDTH_RIGHT}" y="{:.1}" font-size="{FONT}" fill="{INK}" text-anchor="end">{}</text></g>"#,
            escape(&r.label),
            points(r.points),
            pct(r.share),
            y + ROW * 0.65,
            escape(&truncate(&r.label, 20)),
            y + 4.0,
            width.max(1.0),
            ROW - 8.0,
            y + ROW * 0.65,
            points(r.points),
            WIDTH_RIGHT = WIDTH - 8.0,
        );
    }
    let bottom = top + ROW * rows.len() as f64;
    let _ = writeln!(
        svg,
        r#"<line x1="{zero:.1}" y1="{:.1}" x2="{zero:.1}" y2="{bottom:.1}" stroke="{AXIS}" stroke-width="1.5"/>"#,
        top - 2.0
    );
    let _ = writeln!(
        svg,
        r#"<text x="{zero:.1}" y="{:.1}" font-size="{}" fill="{AXIS}" text-anchor="middle">0</text>"#,
        bottom + 16.0,
        FONT - 1.0
    );
    close(svg)
}

/// A pair term as a small heat table: rows are the first feature's bins, columns the
/// second's, each cell its points, tinted blue when it adds and red when it takes away.
pub fn pair_chart(
    a: &str,
    b: &str,
    a_labels: &[String],
    b_labels: &[String],
    grid: &[Vec<f64>],
    id: &str,
) -> String {
    const LABEL_W: f64 = 112.0;
    const ROW: f64 = 26.0;
    let columns = b_labels.len().max(1) as f64;
    let cell_w = (WIDTH - LABEL_W - 8.0) / columns;
    let top = 48.0;
    let height = top + ROW * a_labels.len() as f64 + 12.0;
    let cell = |i: usize, j: usize| grid.get(i).and_then(|r| r.get(j)).copied();
    let magnitude = grid
        .iter()
        .flatten()
        .map(|v| v.abs())
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let desc = format!(
        "Extra points for leads by {a} (rows) and {b} (columns), on top of each feature's \
         own points. Each cell shows its points; blue cells add, red cells take away, \
         deeper tint for more."
    );
    let mut svg = open(id, &format!("Points: {a} × {b}"), &desc, height);
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="16" font-size="{FONT}" fill="{AXIS}" text-anchor="middle">{}</text>"#,
        LABEL_W + (WIDTH - LABEL_W) / 2.0,
        escape(&truncate(b, 30))
    );
    let _ = writeln!(
        svg,
        r#"<text x="4" y="{:.1}" font-size="{FONT}" fill="{AXIS}">{}</text>"#,
        top - 8.0,
        escape(&truncate(a, 14))
    );
    let chars = ((cell_w / 7.0).floor() as usize).max(3);
    for (j, label) in b_labels.iter().enumerate() {
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="{}" fill="{INK}" text-anchor="middle"><title>{}</title>{}</text>"#,
            LABEL_W + cell_w * (j as f64 + 0.5),
            top - 8.0,
            FONT - 1.0,
            escape(label),
            escape(&truncate(label, chars))
        );
    }
    for (i, label) in a_labels.iter().enumerate() {
        let y = top + ROW * i as f64;
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="{}" fill="{INK}" text-anchor="end"><title>{}</title>{}</text>"#,
            LABEL_W - 6.0,
            y + ROW * 0.65,
            FONT - 1.0,
            escape(label),
            escape(&truncate(label, 14))
        );
        for (j, b_label) in b_labels.iter().enumerate() {
            let x = LABEL_W + cell_w * j as f64;
            let (fill, text) = match cell(i, j) {
                Some(v) => (tint(v / magnitude), points(v)),
                None => (WHITE.to_string(), "-".to_string()),
            };
            let _ = writeln!(
                svg,
                r#"<g><title>{} and {}: {} points</title><rect x="{x:.1}" y="{y:.1}" width="{cell_w:.1}" height="{ROW}" fill="{fill}" stroke="{WHITE}" stroke-width="2"/><text x="{:.1}" y="{:.1}" font-size="{}" fill="{INK}" text-anchor="middle">{text}</text></g>"#,
                escape(label),
                escape(b_label),
                text,
                x + cell_w / 2.0,
                y + ROW * 0.65,
                FONT - 1.0
            );
        }
    }
    close(svg)
}

/// A square-ish plot area with room for tick labels and axis titles.
struct Plot {
    left: f64,
    top: f64,
    width: f64,
    plot_height: f64,
    height: f64,
}

impl Plot {
    fn square() -> Plot {
        Plot {
            left: 64.0,
            top: 16.0,
            width: WIDTH - 64.0 - 28.0,
            plot_height: 240.0,
            height: 16.0 + 240.0 + 56.0,
        }
    }

    /// The SVG coordinates of a data point, each axis running from 0 to its max.
    fn at(&self, x: f64, y: f64, x_max: f64, y_max: f64) -> (f64, f64) {
        (
            self.left + x / x_max * self.width,
            self.top + self.plot_height - y / y_max * self.plot_height,
        )
    }

    /// Both axes as percentages on the same scale.
    fn axes(&self, svg: &mut String, axis: Axis, x_title: &str, y_title: &str) {
        self.axes_with(svg, axis, x_title, y_title, pct_tick, true);
        for k in 0..=axis.ticks {
            let v = axis.tick(k);
            let (x, y) = self.at(v, 0.0, axis.max, 1.0);
            let _ = writeln!(
                svg,
                r#"<text x="{x:.1}" y="{:.1}" font-size="{}" fill="{AXIS}" text-anchor="middle">{}</text>"#,
                y + FONT + 4.0,
                FONT - 1.0,
                pct_tick(v)
            );
        }
    }

    /// The y axis with ticks and grid, the x axis line, and both titles.
    fn axes_with(
        &self,
        svg: &mut String,
        axis: Axis,
        x_title: &str,
        y_title: &str,
        label: impl Fn(f64) -> String,
        x_grid: bool,
    ) {
        let bottom = self.top + self.plot_height;
        let right = self.left + self.width;
        for k in 0..=axis.ticks {
            let v = axis.tick(k);
            let (_, y) = self.at(0.0, v, 1.0, axis.max);
            let _ = writeln!(
                svg,
                r#"<line x1="{:.1}" y1="{y:.1}" x2="{right:.1}" y2="{y:.1}" stroke="{GRID}"/><text x="{:.1}" y="{:.1}" font-size="{}" fill="{AXIS}" text-anchor="end">{}</text>"#,
                self.left,
                self.left - 6.0,
                y + 4.0,
                FONT - 1.0,
                label(v)
            );
            if x_grid {
                let x = self.left + self.width * f64::from(k) / f64::from(axis.ticks);
                let _ = writeln!(
                    svg,
                    r#"<line x1="{x:.1}" y1="{:.1}" x2="{x:.1}" y2="{bottom:.1}" stroke="{GRID}"/>"#,
                    self.top
                );
            }
        }
        let _ = writeln!(
            svg,
            r#"<path d="M{:.1},{:.1} V{bottom:.1} H{right:.1}" fill="none" stroke="{AXIS}" stroke-width="1.5"/>"#,
            self.left, self.top
        );
        let _ = writeln!(
            svg,
            r#"<text x="{:.1}" y="{:.1}" font-size="{FONT}" fill="{INK}" text-anchor="middle">{}</text>"#,
            self.left + self.width / 2.0,
            self.height - 8.0,
            escape(x_title)
        );
        let (cx, cy) = (16.0, self.top + self.plot_height / 2.0);
        let _ = writeln!(
            svg,
            r#"<text x="{cx}" y="{cy:.1}" font-size="{FONT}" fill="{INK}" text-anchor="middle" transform="rotate(-90 {cx} {cy:.1})">{}</text>"#,
            escape(y_title)
        );
    }
}

fn open(id: &str, title: &str, desc: &str, height: f64) -> String {
    let id = escape(id);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {WIDTH} {height:.0}\" role=\"img\" \
         aria-labelledby=\"{id}-title {id}-desc\" font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\" \
         style=\"max-width:100%;height:auto\">\n<title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n<rect width=\"{WIDTH}\" height=\"{height:.0}\" fill=\"#ffffff\"/>\n",
        escape(title),
        escape(desc)
    )
}

fn close(mut svg: String) -> String {
    svg.push_str("</svg>\n");
    svg
}

/// An axis from 0 in `ticks` round steps, ending at or just above the highest value.
#[derive(Debug, Clone, Copy)]
struct Axis {
    max: f64,
    ticks: u32,
}

impl Axis {
    /// The smallest round step (1, 2 or 5 times a power of ten) that covers `top` in at
    /// most six steps, so a model whose probabilities stay near a 5% base rate is not
    /// squeezed into a corner of a 0–100% axis.
    fn nice(top: f64) -> Axis {
        let top = if top.is_finite() && top > 0.0 {
            top
        } else {
            1.0
        };
        let mut magnitude = 10f64.powf((top / 6.0).log10().floor());
        loop {
            for factor in [1.0, 2.0, 5.0] {
                let step = factor * magnitude;
                let ticks = (top / step - 1e-9).ceil().max(1.0);
                if ticks <= 6.0 {
                    return Axis {
                        max: step * ticks,
                        ticks: ticks as u32,
                    };
                }
            }
            magnitude *= 10.0;
        }
    }

    fn tick(self, k: u32) -> f64 {
        self.max * f64::from(k) / f64::from(self.ticks)
    }
}

/// A tick label in percent, without decimals unless the step needs them.
fn pct_tick(v: f64) -> String {
    let p = v * 100.0;
    if (p - p.round()).abs() < 1e-6 {
        format!("{p:.0}%")
    } else {
        format!("{p:.1}%")
    }
}

/// A light tint for a heat-table cell: white at 0, toward #93c5fd (blue) for +1 and
/// #fca5a5 (red) for −1. Both ends keep near-black text above 8:1.
fn tint(v: f64) -> String {
    let v = v.clamp(-1.0, 1.0);
    let (r, g, b) = if v >= 0.0 {
        (0x93, 0xc5, 0xfd)
    } else {
        (0xfc, 0xa5, 0xa5)
    };
    let mix = |c: u8| (255.0 - (255.0 - f64::from(c)) * v.abs()).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(r), mix(g), mix(b))
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        text.to_string()
    } else {
        let mut short: String = text.chars().take(max_chars.saturating_sub(1)).collect();
        short.push('…');
        short
    }
}

/// Escapes text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axes_end_at_a_round_number_just_above_the_data() {
        // 78% in steps of 20%: 0, 20, 40, 60, 80. A 5% base rate gets 1% steps, not a
        // corner of 0–100%. Lift 2.93 in steps of 0.5 up to 3.
        for (top, max, ticks) in [
            (0.78, 0.8, 4),
            (0.05, 0.05, 5),
            (2.93, 3.0, 6),
            (1.0, 1.0, 5),
        ] {
            let axis = Axis::nice(top);
            assert!((axis.max - max).abs() < 1e-12, "{top}: {}", axis.max);
            assert_eq!(axis.ticks, ticks, "{top}");
        }
        assert_eq!(Axis::nice(0.0).ticks, 5);
        assert_eq!(Axis::nice(f64::NAN).ticks, 5);
    }

    #[test]
    fn heat_cells_tint_by_sign_and_size() {
        assert_eq!(tint(0.0), "#ffffff");
        assert_eq!(tint(1.0), "#93c5fd");
        assert_eq!(tint(-1.0), "#fca5a5");
    }
}
