//! The calibration report as one standalone HTML page (`leadgate model report VERSION
//! --html FILE`): inline CSS, the charts inline as SVG, no scripts and nothing fetched, so
//! the file can be mailed to the approver or attached to the gate and still open years
//! later. It holds the same tables as the text report (built once in `text`), with the
//! warnings at the top in a red box, and follows the review UI's accessibility rules: a
//! `lang`, a page title, one `h1`, table headers with `scope`, AA contrast.

use std::fmt::Write as _;

use super::svg::escape;
use super::text::{
    DRIFT_HINT, LIFT_HINT, POINTS_HINT, RELIABILITY_HINT, Table, drift_table, drift_title,
    performance_table, points_table, reliability_table, term_title,
};
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
table{border-collapse:collapse;margin:.4rem 0;font-variant-numeric:tabular-nums}
th,td{padding:.2rem .6rem;border-bottom:1px solid #e5e7eb;text-align:right;white-space:nowrap}
th:first-child,td:first-child{text-align:left}
th{background:#f3f4f6}
td.words{text-align:left;white-space:normal}
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

        h2(&mut page, "Training data");
        for line in self.data_lines() {
            p(&mut page, &line);
        }

        h2(&mut page, &self.cross_validated_title());
        table(
            &mut page,
            &performance_table(&self.cross_validated, self.sufficiency.roc_auc_interval),
        );
        if !self.folds.is_empty() {
            h3(&mut page, "Folds");
            table(&mut page, &self.folds_table());
        }

        let charts = self.charts();
        let chart = |id: &str| charts.iter().find(|c| c.id == id);
        if !self.cross_validated.reliability.is_empty() {
            h2(&mut page, "Reliability, cross-validated");
            p(&mut page, RELIABILITY_HINT);
            figures(&mut page, [chart("chart-reliability")]);
            table(
                &mut page,
                &reliability_table(&self.cross_validated.reliability),
            );
        }
        if !self.cross_validated.lift.is_empty() {
            h2(&mut page, "Lift and cumulative gains by decile");
            p(&mut page, LIFT_HINT);
            figures(&mut page, [chart("chart-gains"), chart("chart-lift")]);
            table(&mut page, &self.lift_table());
        }
        if !self.thresholds.is_empty() {
            h2(&mut page, &self.thresholds_title());
            for line in self.threshold_lines() {
                p(&mut page, &line);
            }
            table(&mut page, &self.thresholds_table());
        }
        if let Some(oot) = &self.out_of_time {
            h2(&mut page, "Out-of-time test");
            for line in self.out_of_time_lines(oot) {
                p(&mut page, &line);
            }
            table(&mut page, &performance_table(&oot.test, None));
            figures(&mut page, [chart("chart-reliability-oot")]);
            if !oot.test.reliability.is_empty() {
                table(&mut page, &reliability_table(&oot.test.reliability));
            }
        }
        if let Some(drift) = &self.feature_drift {
            h2(&mut page, &drift_title(drift));
            p(&mut page, DRIFT_HINT);
            table(&mut page, &drift_table(drift));
        }
        if !self.points.is_empty() {
            h2(&mut page, "Points");
            p(&mut page, POINTS_HINT);
            for (i, term) in self.points.iter().enumerate() {
                h3(&mut page, &term_title(term));
                figures(&mut page, [chart(&format!("chart-points-{}", i + 1))]);
                table(&mut page, &points_table(term));
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

fn figures<'a>(page: &mut String, charts: impl IntoIterator<Item = Option<&'a super::svg::Chart>>) {
    let charts: Vec<_> = charts.into_iter().flatten().collect();
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

fn table(page: &mut String, table: &Table) {
    page.push_str("<div class=\"table-wrap\"><table>\n<thead><tr>");
    for header in &table.headers {
        let _ = write!(page, "<th scope=\"col\">{}</th>", escape(header));
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
