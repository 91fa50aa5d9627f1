//! The Task Force's quarterly report as one self-contained HTML document (inline CSS and
//! SVG, no scripts, no links needed to read it), so the same bytes are served at
//! `/reports/{quarter}`, written by `hemi report quarterly` and printed to PDF by a
//! headless browser.
//!
//! Its data is computed once by `hemi_app::report::quarterly_report` (events, the
//! quarter's alerts from the replay, notifications and their timeliness, commitments,
//! tasks, recommendations, burden-sharing indicators); this module only lays it out, so
//! the HTML, the PDF and `hemi process quarterly` give the same numbers.

use std::collections::HashMap;

use hemi_app::report::{QuarterAlert, QuarterlyReport};
use hemi_core::{Iso3, Period};
use maud::{html, Markup, PreEscaped, DOCTYPE};

use crate::chart::{format_count, line_chart, progress_bar, Line};
use crate::layout::country_name;
use crate::map::{americas_map, AlertLevel};

/// Corridor charts drawn: the quarter's events with the most countries alerting.
pub const CORRIDOR_CHARTS: usize = 3;
/// Months shown on a corridor chart, ending with the quarter's last month.
pub const CORRIDOR_MONTHS: i32 = 18;
/// Host countries listed in the indicators section.
pub const INDICATOR_ROWS: usize = 10;
/// Hosts smaller than this are left out of the report's ranking: per-1,000 ratios of
/// small islands (Aruba, Sint Maarten) top any list and say little about burden sharing
/// between states; the public `/indicators` page still lists every country.
pub const INDICATOR_MIN_POPULATION: f64 = 1_000_000.0;

fn quarter_alerts(input: &QuarterlyReport) -> &[QuarterAlert] {
    &input.alerts
}

/// Map levels for the quarter: a confirmed event or one in response colours its
/// countries "event"; an alert in the quarter colours "alert"; earlier alerts of a
/// quarter's event colour "watch".
fn levels(input: &QuarterlyReport) -> HashMap<Iso3, AlertLevel> {
    let mut levels: HashMap<Iso3, AlertLevel> = HashMap::new();
    let mut raise = |country: &str, level: AlertLevel| {
        if let Ok(iso3) = Iso3::parse(country) {
            let entry = levels.entry(iso3).or_default();
            *entry = (*entry).max(level);
        }
    };
    for event in &input.events {
        let confirmed = matches!(event.status.as_str(), "confirmed" | "response");
        for country in &event.countries {
            raise(
                country,
                if confirmed {
                    AlertLevel::Event
                } else {
                    AlertLevel::Watch
                },
            );
        }
    }
    for alert in quarter_alerts(input) {
        raise(&alert.reporting, AlertLevel::Alert);
    }
    levels
}

fn nationality_label(code: &str) -> String {
    if code == "ALL" {
        "all nationalities".into()
    } else {
        format!("{} ({code})", country_name(code))
    }
}

fn corridor_chart(input: &QuarterlyReport, nationality: &str, countries: &[String]) -> Markup {
    let (Some(last_month), Some(replayed)) = (input.last_month, input.replayed.as_ref()) else {
        return html! {};
    };
    let from: Period = last_month.offset(1 - CORRIDOR_MONTHS);
    let lines: Vec<Line> = countries
        .iter()
        .map(|c| Line {
            label: country_name(c),
            points: replayed
                .series(c, nationality)
                .iter()
                .filter(|r| r.month >= from && r.month <= last_month)
                .map(|r| (r.month.to_string(), r.value))
                .collect(),
        })
        .filter(|l| !l.points.is_empty())
        .collect();
    line_chart(
        &lines,
        "people per month",
        &format!(
            "{} by reporting country, {} to {}",
            nationality_label(nationality),
            from,
            last_month
        ),
    )
}

fn percent(share: Option<f64>) -> String {
    share.map_or("–".into(), |s| {
        format!("{:.0}%", (s * 100.0).clamp(0.0, 999.0))
    })
}

/// The report as a complete HTML document.
pub fn render(input: &QuarterlyReport) -> Markup {
    let d = input;
    let generated = crate::layout::format_time(input.generated_at);
    let alerts = quarter_alerts(input);
    let mut charted: Vec<_> = d.events.iter().collect();
    // The most severe events, as the watch board ranks them.
    charted.sort_by(|a, b| b.severity.total_cmp(&a.severity).then(a.id.cmp(&b.id)));
    charted.truncate(CORRIDOR_CHARTS);
    let delivered = d
        .notifications
        .iter()
        .filter(|n| n.status == "delivered")
        .count();
    let title = format!("Task Force quarterly report, {}", d.quarter);
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
                style { (PreEscaped(REPORT_CSS)) }
            }
            body {
                header.cover {
                    p.kicker { "Hemispheric Migration Engagement Task Force" }
                    h1 { "Quarterly report " (d.quarter) }
                    p { (d.from) " to " (d.to) " · generated " (generated) " by Hemisphere" }
                }
                section {
                    h2 { "Summary" }
                    ul.figures {
                        li { strong { (d.events.len()) } " events with an alert in the quarter" }
                        li { strong { (alerts.len()) } " alerts (series-months meeting the trigger rules)" }
                        li { strong { (d.notifications_on_time) " of " (d.notifications.len()) }
                             " notifications delivered within " (d.notify_within_hours) " hours of the data arriving ("
                             (delivered) " delivered in all)" }
                        li { strong { (d.commitments.len()) } " commitments tracked, "
                             (d.commitments.iter().filter(|c| c.progress_share.is_some_and(|s| s >= 1.0)).count()) " met" }
                        li { strong { (d.tasks.len()) } " response tasks opened · "
                             strong { (d.recommendations.len()) } " recommendations" }
                    }
                }
                section {
                    h2 { "1. Emerging migration events" }
                    @if d.events.is_empty() {
                        p { "No event had an alert in the quarter." }
                    } @else {
                        table {
                            thead { tr { th { "Event" } th { "Nationality" } th { "First alert" } th { "Last alert" } th { "Countries alerting" } th { "Status" } } }
                            tbody {
                                @for e in &d.events {
                                    tr {
                                        td { (e.id) }
                                        td.wrap { (nationality_label(&e.nationality)) }
                                        td { (e.first_alert) }
                                        td { (e.last_alert) }
                                        td.wrap { (e.countries.iter().map(|c| country_name(c)).collect::<Vec<_>>().join(", ")) }
                                        td { (e.status) }
                                    }
                                }
                            }
                        }
                    }
                    div.keep {
                        h3 { "Map: countries by alert level in the quarter" }
                        (americas_map(&levels(input)))
                    }
                }
                section.break-before {
                    h2 { "2. Flows by corridor" }
                    p.muted { "Monthly counts of the nationality in each reporting country of the event, from the stored official tables; upstream countries see a wave first." }
                    @if charted.is_empty() {
                        p { "No event to chart." }
                    }
                    @for e in &charted {
                        div.keep {
                            h3 { (nationality_label(&e.nationality)) ": event " (e.id) }
                            (corridor_chart(input, &e.nationality, &e.countries))
                        }
                    }
                }
                section.break-before {
                    h2 { "3. Alerts and notification timeliness" }
                    @if alerts.is_empty() {
                        p { "No alert in the quarter." }
                    } @else {
                        table {
                            thead { tr { th { "Month" } th { "Reporting" } th { "Nationality" } th.num { "Count" } th.num { "Expected" } th.num { "Upper bound" } } }
                            tbody {
                                @for a in alerts {
                                    tr {
                                        td { (a.month) }
                                        td { (country_name(&a.reporting)) }
                                        td.wrap { (nationality_label(&a.nationality)) }
                                        td.num { (format_count(a.value)) }
                                        td.num { (a.expected.map_or("–".into(), |v| format_count(v.round()))) }
                                        td.num { (a.upper.map_or("–".into(), |v| format_count(v.round()))) }
                                    }
                                }
                            }
                        }
                    }
                    h3 { "Notifications" }
                    @if d.notifications.is_empty() {
                        p { "No notification was recorded for the quarter's alerts (notifications are sent by " code { "hemi warn run" } " as data arrives)." }
                    } @else {
                        table {
                            thead { tr { th { "Alert" } th { "Month" } th { "Subscriber" } th { "Status" } th.num { "Hours to deliver" } th { "On time" } } }
                            tbody {
                                @for n in &d.notifications {
                                    tr {
                                        td { (n.alert_id) } td { (n.month) } td { (n.subscriber) } td { (n.status) }
                                        td.num { (n.hours_to_deliver.map_or("–".into(), |h| format!("{h:.2}"))) }
                                        td { (if n.within_time_frame { "yes" } else { "no" }) }
                                    }
                                }
                            }
                        }
                    }
                }
                section.break-before {
                    h2 { "4. Commitments under the L.A. Declaration" }
                    @if d.commitments.is_empty() {
                        p { "No commitment recorded." }
                    } @else {
                        table {
                            thead { tr { th { "Owner" } th { "Commitment" } th { "Pillar" } th.num { "Target" } th.num { "Latest" } th { "Progress" } th { "Due" } th { "Status" } } }
                            tbody {
                                @for c in &d.commitments {
                                    tr {
                                        td { (country_name(&c.owner)) }
                                        td.wrap { (c.title) }
                                        td { (c.pillar) }
                                        td.num { (format_count(c.target_value)) " " (c.unit) }
                                        td.num { (c.latest_value.map_or("–".into(), format_count)) }
                                        td {
                                            (progress_bar(c.progress_share, 70.0, 8.0))
                                            " " (percent(c.progress_share))
                                        }
                                        td { (c.target_date) }
                                        td { (c.status) }
                                    }
                                }
                            }
                        }
                    }
                    @if !d.progress_reports.is_empty() {
                        h3 { "Progress reported in the quarter" }
                        ul {
                            @for p in &d.progress_reports {
                                li { (p.reported_on) ": commitment " (p.commitment_id) ", " (format_count(p.value)) " (" (p.source) ")" }
                            }
                        }
                    }
                }
                section {
                    h2 { "5. Burden sharing" }
                    @match &input.indicators {
                        None => p { "The UN DESA migrant stock table is not loaded." },
                        Some(t) => {
                            p.muted { "Foreign-born people per 1,000 inhabitants in " (t.options.year)
                                ", countries of the Americas with at least 1 million inhabitants (UN DESA International Migrant Stock, female plus male; population and GDP from the World Bank table). Top " (INDICATOR_ROWS) "; every country is on the public burden-sharing page." }
                            table {
                                thead { tr { th.num { "Rank" } th { "Host" } th.num { "Foreign-born" } th.num { "Per 1,000" } th.num { "Per USD 1 million GDP" } } }
                                tbody {
                                    @for (n, r) in t.indicators.rows.iter().filter(|r| r.rank.is_some() && r.population.is_some_and(|p| p >= INDICATOR_MIN_POPULATION)).take(INDICATOR_ROWS).enumerate() {
                                        tr {
                                            td.num { (n + 1) }
                                            td { (country_name(&r.host)) }
                                            td.num { (format_count(r.hosted)) }
                                            td.num { (r.per_1000.map_or("–".into(), |v| format!("{v:.1}"))) }
                                            td.num { (r.per_usd_million.map_or("–".into(), |v| format!("{v:.2}"))) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                section {
                    h2 { "6. Response tasks" }
                    @if d.tasks.is_empty() {
                        p { "No response task was opened in the quarter." }
                    } @else {
                        table {
                            thead { tr { th { "Event" } th { "Assignee" } th { "Task" } th { "Status" } } }
                            tbody {
                                @for t in &d.tasks {
                                    tr { td { (t.event_id) } td { (t.assignee) } td.wrap { (t.what) } td { (t.status) } }
                                }
                            }
                        }
                    }
                }
                section {
                    h2 { "7. Recommendations" }
                    @if d.recommendations.is_empty() {
                        p { "No recommendation was recorded for the quarter (" code { "hemi process recommend" } ")." }
                    } @else {
                        ol {
                            @for r in &d.recommendations {
                                li { (r.text) " " span.muted { "— to " (r.addressed_to) ", by " (r.made_by) } }
                            }
                        }
                    }
                }
                footer { p.muted { "Sources: official monthly flow tables of Panama, Honduras, Mexico and the United States; UN DESA; World Bank; the L.A. Process records kept in Hemisphere. Alerts follow the trigger rules in force (rules/triggers.toml)." } }
            }
        }
    }
}

/// Print-friendly styles: A4 pages, charts kept whole, sections on new pages.
const REPORT_CSS: &str = r#"
@page { size: A4; margin: 16mm 14mm; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #1b1f24; font-size: 10.5pt; line-height: 1.4; max-width: 1000px; margin: 0 auto; padding: 0 12px; }
.cover { border-bottom: 3px solid #1d4e89; margin-bottom: 12px; }
.kicker { color: #1d4e89; font-weight: bold; text-transform: uppercase; letter-spacing: .04em; margin: 0; }
h1 { font-size: 22pt; margin: 4px 0; }
h2 { font-size: 14pt; color: #1d4e89; border-bottom: 1px solid #c9d3df; padding-bottom: 2px; }
h3 { font-size: 11.5pt; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 9.5pt; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #dde3ea; vertical-align: top; white-space: nowrap; }
td.wrap, th.wrap { white-space: normal; }
th { background: #eef2f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr, figure, svg, .keep { break-inside: avoid; }
figure { margin: 8px 0 16px; }
svg { max-width: 100%; height: auto; }
.muted { color: #56606b; }
.figures li { margin: 2px 0; }
.bar { vertical-align: middle; }
figure.chart, figure.map { margin: 6px 0 14px; }
figure.map > svg { max-width: 150mm; border: 1px solid #dde3ea; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 9pt; margin: 4px 0; }
.legend .swatch { display: inline-block; vertical-align: middle; margin-right: 5px; }
figcaption { color: #56606b; font-size: 9pt; }
@media print { .break-before { break-before: page; } }
"#;
