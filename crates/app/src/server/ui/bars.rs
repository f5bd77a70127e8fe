//! Stacked bars drawn as SVG by the program: one row per thing, its parts side by side on one
//! scale, a value at the right if the page has one, a legend below. The enrichment page (calls
//! by provider) and the Outbox page (e-mails by step) draw with it; the table beside each
//! chart repeats the figures for screen readers.

use std::fmt::Write;

use leadgate_core::scoring::report::svg::escape;

/// One part of a bar: how many, what they are in words, and its CSS class.
pub struct Part {
    pub n: u64,
    pub words: &'static str,
    pub class: &'static str,
}

/// One bar.
pub struct Bar {
    pub label: String,
    pub parts: Vec<Part>,
    /// Written at the right of the row (the enrichment page's credits).
    pub value: Option<String>,
    /// The row in words, for the chart's description.
    pub described: String,
}

/// How a chart looks.
pub struct Chart<'a> {
    /// The SVG's id (`providers-chart`); its title and description ids derive from it.
    pub id: &'a str,
    /// The SVG's class besides `chart` (`providers`).
    pub class: &'a str,
    /// Each row's group class (`provider-row`).
    pub row_class: &'a str,
    pub title: &'a str,
    /// Headers over the labels, the bars and the values, when the chart has them.
    pub headers: Option<[&'a str; 3]>,
    pub label_right: f64,
    pub bar_left: f64,
    pub bar_right: f64,
    /// The legend's entries: words and class.
    pub legend: &'a [(&'a str, &'a str)],
    /// Where the legend starts.
    pub legend_left: f64,
}

const WIDTH: f64 = 640.0;
const ROW: f64 = 30.0;

/// The chart as SVG.
pub fn draw(chart: &Chart<'_>, bars: &[Bar]) -> String {
    let top = if chart.headers.is_some() { 34.0 } else { 30.0 };
    let widest = bars
        .iter()
        .map(|b| b.parts.iter().map(|p| p.n).sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let height = top + ROW * bars.len() as f64 + 34.0;
    let described: Vec<&str> = bars.iter().map(|b| b.described.as_str()).collect();
    let id = chart.id.trim_end_matches("-chart");
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg role="group" aria-labelledby="{id}-title {id}-desc" viewBox="0 0 {WIDTH} {height}" class="chart {}" id="{}"><title id="{id}-title">{}</title><desc id="{id}-desc">{}.</desc>"#,
        chart.class,
        chart.id,
        escape(chart.title),
        escape(&described.join("; "))
    );
    if let Some([label, bar, value]) = chart.headers {
        let _ = writeln!(
            svg,
            r#"<text x="{}" y="18" class="axis" text-anchor="end">{label}</text><text x="{}" y="18" class="axis">{bar}</text><text x="{}" y="18" class="axis" text-anchor="end">{value}</text>"#,
            chart.label_right,
            chart.bar_left,
            WIDTH - 8.0
        );
    }
    for (i, b) in bars.iter().enumerate() {
        let y = top + ROW * i as f64;
        let _ = write!(
            svg,
            r#"<g class="{}"><text x="{}" y="{:.1}" class="label" text-anchor="end">{}</text>"#,
            chart.row_class,
            chart.label_right,
            y + ROW * 0.6,
            escape(&b.label)
        );
        let mut x = chart.bar_left;
        for part in b.parts.iter().filter(|p| p.n > 0) {
            let width = part.n as f64 / widest * (chart.bar_right - chart.bar_left);
            let _ = write!(
                svg,
                r#"<rect x="{x:.1}" y="{:.1}" width="{:.1}" height="{:.1}" class="{}"><title>{}: {} {}</title></rect>"#,
                y + 4.0,
                width.max(1.0),
                ROW - 10.0,
                part.class,
                escape(&b.label),
                part.n,
                part.words
            );
            x += width;
        }
        if let Some(value) = &b.value {
            let _ = write!(
                svg,
                r#"<text x="{:.1}" y="{:.1}" class="value" text-anchor="end">{}</text>"#,
                WIDTH - 8.0,
                y + ROW * 0.6,
                escape(value)
            );
        }
        svg.push_str("</g>\n");
    }
    let legend_y = top + ROW * bars.len() as f64 + 18.0;
    let mut x = chart.legend_left;
    for (words, class) in chart.legend {
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{:.1}" width="10" height="10" class="{class}"/><text x="{:.1}" y="{legend_y:.1}" class="legend">{words}</text>"#,
            legend_y - 9.0,
            x + 14.0
        );
        x += 30.0 + 7.0 * words.len() as f64;
    }
    svg.push_str("</svg>");
    svg
}
