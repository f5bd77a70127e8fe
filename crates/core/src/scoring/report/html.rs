//! The calibration report as one standalone HTML page (`leadgate model report VERSION
//! --html FILE`): inline CSS, the charts inline as SVG, no scripts and nothing fetched, so
//! the file can be mailed to the approver or attached to the gate and still open years
//! later. It holds the same tables as the text report (built once in `text`), block by
//! block as [`CalibrationReport::sections`] lists them (the review UI's model page draws the
//! same sections), with the warnings at the top in a red box, and follows the review UI's accessibility rules: a
//! `lang`, a page title, one `h1`, table headers with `scope`, AA contrast.

use std::fmt::Write as _;

use super::svg::{Chart, escape};
use super::text::Table;
use super::{CalibrationReport, Severity};

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#111827;background:#fff;margin:0;line-height:1.45}
main{max-width:56rem;margin:0 auto;padding:1rem}
h1{font-size:1.5rem;margin:.5rem 0}
h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid #d1d5db}
h3{font-size:1rem;margin:1.2rem 0 .4rem}
p{margin:.3rem 0}
.muted{color:#4b5563}
.warnings{border:2px solid #b91c1c;background:#fef2f2;padding:.5rem 1rem;border-radius:4px}
.warnings h2{color:#991b1b;border:0;margin-top:.5rem}
.ok{border:2px solid #15803d;background:#f0fdf4;padding:.5rem 1rem;border-radius:4px}
.finding{margin:.6rem 0}
.finding strong{display:block}
.table-wrap{overflow-x:auto}
.table-wrap:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}
table{border-collapse:collapse;margin:.4rem 0;font-variant-numeric:tabular-nums}
th,td{padding:.2rem .6rem;border-bottom:1px solid #e5e7eb;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
th{background:#f3f4f6}
td.words,th.words{text-align:left;white-space:normal}
tbody th{background:none;font-weight:400}
tr.marked td,tr.marked th{font-weight:700;background:#dbeafe}
figure{margin:1rem 0;max-width:32rem}
figcaption{font-weight:600;margin-bottom:.3rem}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(18rem,1fr));gap:1rem}
";

impl CalibrationReport {
    /// The report as one standalone HTML page.
    pub fn to_html(&self) -> String {
        let mut page = String::new();
        let title = format!("Calibration report: model {}", self.version);
        let _ = write!(
            page,
            "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<main>\n<h1>{}</h1>\n<p class=\"muted\">{}</p>\n",
            escape(&title),
            escape(&title),
            escape(&self.trained_line())
        );
        self.html_findings(&mut page);
        for section in self.sections() {
            h2(&mut page, &section.title);
            for line in &section.lines {
                p(&mut page, line);
            }
            for part in &section.parts {
                if let Some(title) = &part.title {
                    h3(&mut page, title);
                }
                figures(&mut page, &part.charts);
                if let Some(t) = &part.table {
                    table(
                        &mut page,
                        t,
                        part.title.as_deref().unwrap_or(&section.title),
                    );
                }
            }
        }
        page.push_str("</main>\n</body>\n</html>\n");
        page
    }

    fn html_findings(&self, page: &mut String) {
        let class = if self.warnings().next().is_some() {
            "warnings"
        } else {
            "ok"
        };
        let _ = writeln!(
            page,
            "<section class=\"{class}\" aria-labelledby=\"findings\">\n<h2 id=\"findings\">Warnings</h2>"
        );
        for line in self.warning_lead() {
            p(page, &line);
        }
        for finding in &self.findings {
            let label = match finding.severity {
                Severity::Warning => "Warning",
                Severity::Note => "Note",
            };
            let _ = writeln!(
                page,
                "<div class=\"finding\"><strong>{label}: {}</strong>{}</div>",
                escape(&finding.title),
                escape(&finding.detail)
            );
        }
        page.push_str("</section>\n");
    }
}

fn h2(page: &mut String, text: &str) {
    let _ = writeln!(page, "<h2>{}</h2>", escape(text));
}

fn h3(page: &mut String, text: &str) {
    let _ = writeln!(page, "<h3>{}</h3>", escape(text));
}

fn p(page: &mut String, text: &str) {
    let _ = writeln!(page, "<p>{}</p>", escape(text));
}

fn figures(page: &mut String, charts: &[Chart]) {
    if charts.is_empty() {
        return;
    }
    page.push_str("<div class=\"charts\">\n");
    for chart in charts {
        // The SVG carries its own title and description for screen readers; the caption
        // is for sighted readers, so it is hidden from the accessibility tree.
        let _ = write!(
            page,
            "<figure>\n<figcaption aria-hidden=\"true\">{}</figcaption>\n{}</figure>\n",
            escape(&chart.title),
            chart.svg
        );
    }
    page.push_str("</div>\n");
}

/// A table in a box that scrolls sideways on a narrow screen; the box takes the keyboard
/// focus and is named, so it can be scrolled without a mouse.
fn table(page: &mut String, table: &Table, name: &str) {
    let _ = write!(
        page,
        "<div class=\"table-wrap\" tabindex=\"0\" role=\"region\" aria-label=\"{}\"><table>\n<thead><tr>",
        escape(name)
    );
    for (j, header) in table.headers.iter().enumerate() {
        // A column of words reads from the left, its header with it.
        let class = if j > 0 && !table.is_figures(j) {
            " class=\"words\""
        } else {
            ""
        };
        let _ = write!(page, "<th scope=\"col\"{class}>{}</th>", escape(header));
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for (i, row) in table.rows.iter().enumerate() {
        let class = if table.marked.get(i).copied().unwrap_or(false) {
            " class=\"marked\""
        } else {
            ""
        };
        let _ = write!(page, "<tr{class}>");
        for (j, cell) in row.iter().enumerate() {
            if j == 0 {
                let _ = write!(page, "<th scope=\"row\">{}</th>", escape(cell));
            } else if table.is_figures(j) {
                let _ = write!(page, "<td>{}</td>", escape(cell));
            } else {
                let _ = write!(page, "<td class=\"words\">{}</td>", escape(cell));
            }
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody>\n</table></div>\n");
}
