//! Line and bar charts as inline SVG, drawn on the server so pages need no JavaScript.

use maud::{html, Markup};

/// One line: a label and (period, value) points in time order.
pub struct Line {
    /// Legend text.
    pub label: String,
    /// Points; periods are `YYYY-MM`.
    pub points: Vec<(String, f64)>,
}

/// Colours distinguishable in colour-blind vision and dark enough on white (Okabe-Ito, darkened).
const PALETTE: [&str; 6] = [
    "#1d4e89", "#c0392b", "#1f7a4d", "#8e44ad", "#b9770e", "#2c3e50",
];

const WIDTH: f64 = 900.0;
const HEIGHT: f64 = 340.0;
const LEFT: f64 = 78.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 52.0;

/// A "nice" step (1, 2 or 5 times a power of ten) giving about `ticks` intervals up to `max`.
fn nice_step(max: f64, ticks: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let raw = max / ticks;
    let magnitude = 10f64.powf(raw.log10().floor());
    let fraction = raw / magnitude;
    let nice = if fraction <= 1.0 {
        1.0
    } else if fraction <= 2.0 {
        2.0
    } else if fraction <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// Thousands separated by a thin space, as in the tables.
pub fn format_count(value: f64) -> String {
    if value.fract() != 0.0 {
        return format!("{value:.1}");
    }
    let digits = format!("{}", value.abs() as i64);
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0.0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A line chart over the union of the lines' periods, with labelled axes.
pub fn line_chart(lines: &[Line], y_label: &str, title: &str) -> Markup {
    let mut periods: Vec<&str> = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|(p, _)| p.as_str()))
        .collect();
    periods.sort_unstable();
    periods.dedup();
    if periods.is_empty() {
        return html! { p.muted { "No monthly values to chart for this selection." } };
    }
    let max = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|(_, v)| *v))
        .fold(0.0, f64::max);
    let step = nice_step(max, 5.0);
    let top_value = (max / step).ceil().max(1.0) * step;
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x_of = |index: usize| {
        LEFT + if periods.len() == 1 {
            plot_w / 2.0
        } else {
            plot_w * index as f64 / (periods.len() - 1) as f64
        }
    };
    let y_of = |value: f64| TOP + plot_h * (1.0 - value / top_value);
    let index_of = |period: &str| periods.binary_search(&period).unwrap_or(0);
    let y_ticks: Vec<f64> = (0..=((top_value / step).round() as usize))
        .map(|k| k as f64 * step)
        .collect();
    // Label January of each year, thinned so labels never collide.
    let years: Vec<usize> = (0..periods.len())
        .filter(|&i| i == 0 || periods[i].ends_with("-01"))
        .collect();
    let every = (years.len() / 10).max(1);
    let x_labels: Vec<usize> = years.iter().copied().step_by(every).collect();
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {WIDTH} {HEIGHT}")) role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
                title { (title) }
                @for tick in &y_ticks {
                    line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(y_of(*tick)) y2=(y_of(*tick)) stroke="#e3e7ec" stroke-width="1" {}
                    text x=(LEFT - 8.0) y=(y_of(*tick) + 4.0) text-anchor="end" font-size="12" fill="#4a5563" { (format_count(*tick)) }
                }
                line x1=(LEFT) x2=(LEFT) y1=(TOP) y2=(TOP + plot_h) stroke="#4a5563" stroke-width="1" {}
                line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(TOP + plot_h) y2=(TOP + plot_h) stroke="#4a5563" stroke-width="1" {}
                @for &i in &x_labels {
                    line x1=(x_of(i)) x2=(x_of(i)) y1=(TOP + plot_h) y2=(TOP + plot_h + 5.0) stroke="#4a5563" {}
                    text x=(x_of(i)) y=(TOP + plot_h + 20.0) text-anchor="middle" font-size="12" fill="#4a5563" {
                        (if periods[i].ends_with("-01") { periods[i][..4].to_owned() } else { periods[i].to_owned() })
                    }
                }
                text x=(LEFT + plot_w / 2.0) y=(HEIGHT - 8.0) text-anchor="middle" font-size="13" fill="#1b1f24" { "Month" }
                text x="16" y=(TOP + plot_h / 2.0) text-anchor="middle" font-size="13" fill="#1b1f24"
                    transform=(format!("rotate(-90 16 {})", TOP + plot_h / 2.0)) { (y_label) }
                @for (n, l) in lines.iter().enumerate() {
                    @let points = l.points.iter().map(|(p, v)| format!("{:.1},{:.1}", x_of(index_of(p)), y_of(*v))).collect::<Vec<_>>().join(" ");
                    polyline points=(points) fill="none" stroke=(PALETTE[n % PALETTE.len()]) stroke-width="2" stroke-linejoin="round" {}
                }
            }
            div.legend {
                @for (n, l) in lines.iter().enumerate() {
                    // An SVG swatch, not a style attribute: the CSP forbids inline styles.
                    span {
                        svg.swatch width="22" height="4" aria-hidden="true" { rect width="22" height="4" fill=(PALETTE[n % PALETTE.len()]) {} }
                        (l.label)
                    }
                }
            }
        }
    }
}

/// A small line without axes for tables: the shape of the last months, with the first
/// and last values written beside it so the numbers are readable without the picture.
pub fn sparkline(points: &[(String, f64)], label: &str) -> Markup {
    const W: f64 = 160.0;
    const H: f64 = 32.0;
    const PAD: f64 = 3.0;
    if points.is_empty() {
        return html! { span.muted { "no data" } };
    }
    let max = points.iter().map(|(_, v)| *v).fold(0.0, f64::max).max(1.0);
    let x_of = |i: usize| {
        PAD + if points.len() == 1 {
            (W - 2.0 * PAD) / 2.0
        } else {
            (W - 2.0 * PAD) * i as f64 / (points.len() - 1) as f64
        }
    };
    let y_of = |v: f64| PAD + (H - 2.0 * PAD) * (1.0 - v / max);
    let line = points
        .iter()
        .enumerate()
        .map(|(i, (_, v))| format!("{:.1},{:.1}", x_of(i), y_of(*v)))
        .collect::<Vec<_>>()
        .join(" ");
    let (first, last) = (&points[0], &points[points.len() - 1]);
    let peak = points
        .iter()
        .fold(&points[0], |best, p| if p.1 > best.1 { p } else { best });
    let description = format!(
        "{label}: {} in {}, {} in {}, peak {} in {}",
        format_count(first.1),
        first.0,
        format_count(last.1),
        last.0,
        format_count(peak.1),
        peak.0
    );
    html! {
        span.spark {
            svg.sparkline viewBox=(format!("0 0 {W} {H}")) width=(W) height=(H) role="img" aria-label=(description) xmlns="http://www.w3.org/2000/svg" {
                title { (description) }
                line x1=(PAD) x2=(W - PAD) y1=(H - PAD) y2=(H - PAD) stroke="#d5dae1" stroke-width="1" {}
                polyline points=(line) fill="none" stroke=(PALETTE[0]) stroke-width="1.5" stroke-linejoin="round" {}
                circle cx=(x_of(points.len() - 1)) cy=(y_of(last.1)) r="2.5" fill=(PALETTE[1]) {}
            }
            span.spark-value { (format_count(last.1)) }
        }
    }
}

/// One bar: a label, its value and the text written at its end.
pub struct Bar {
    /// Label left of the bar (a country name).
    pub label: String,
    /// Length.
    pub value: f64,
    /// Text after the bar, e.g. the value with its unit.
    pub value_text: String,
}

/// A ranked horizontal bar chart, longest first as given, with a labelled value axis.
pub fn bar_chart(bars: &[Bar], x_label: &str, title: &str) -> Markup {
    const ROW: f64 = 22.0;
    const LABEL_W: f64 = 240.0;
    const VALUE_W: f64 = 70.0;
    if bars.is_empty() {
        return html! { p.muted { "No values to chart for this selection." } };
    }
    let height = TOP + ROW * bars.len() as f64 + 44.0;
    let plot_w = WIDTH - LABEL_W - VALUE_W - RIGHT;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let step = nice_step(max, 5.0);
    let top_value = (max / step).ceil().max(1.0) * step;
    let x_of = |v: f64| LABEL_W + plot_w * (v / top_value).clamp(0.0, 1.0);
    let plot_bottom = TOP + ROW * bars.len() as f64;
    let ticks: Vec<f64> = (0..=((top_value / step).round() as usize))
        .map(|k| k as f64 * step)
        .collect();
    html! {
        figure.chart {
            svg viewBox=(format!("0 0 {WIDTH} {height}")) role="img" aria-label=(title) xmlns="http://www.w3.org/2000/svg" {
                title { (title) }
                @for tick in &ticks {
                    line x1=(x_of(*tick)) x2=(x_of(*tick)) y1=(TOP) y2=(plot_bottom) stroke="#e3e7ec" stroke-width="1" {}
                    text x=(x_of(*tick)) y=(plot_bottom + 16.0) text-anchor="middle" font-size="12" fill="#4a5563" { (format_count(*tick)) }
                }
                @for (i, b) in bars.iter().enumerate() {
                    @let y = TOP + ROW * i as f64;
                    text x=(LABEL_W - 8.0) y=(y + ROW / 2.0 + 4.0) text-anchor="end" font-size="12" fill="#1b1f24" { (b.label) }
                    rect x=(LABEL_W) y=(y + 3.0) width=(format!("{:.1}", (x_of(b.value) - LABEL_W).max(1.0))) height=(ROW - 6.0) fill=(PALETTE[0]) {
                        title { (b.label) ": " (b.value_text) }
                    }
                    text x=(x_of(b.value) + 6.0) y=(y + ROW / 2.0 + 4.0) font-size="12" fill="#1b1f24" { (b.value_text) }
                }
                line x1=(LABEL_W) x2=(LABEL_W) y1=(TOP) y2=(plot_bottom) stroke="#4a5563" stroke-width="1" {}
                text x=(LABEL_W + plot_w / 2.0) y=(height - 8.0) text-anchor="middle" font-size="13" fill="#1b1f24" { (x_label) }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_nice() {
        assert_eq!(nice_step(100.0, 5.0), 20.0);
        assert_eq!(nice_step(520_085.0, 5.0), 200_000.0);
        assert_eq!(nice_step(0.0, 5.0), 1.0);
    }

    #[test]
    fn counts_get_separators() {
        assert_eq!(format_count(1234567.0), "1,234,567");
        assert_eq!(format_count(12.0), "12");
        assert_eq!(format_count(2.5), "2.5");
    }

    #[test]
    fn bar_chart_draws_one_labelled_bar_per_value() {
        let bars = [
            Bar {
                label: "Aruba".into(),
                value: 217.4,
                value_text: "217.4".into(),
            },
            Bar {
                label: "Colombia".into(),
                value: 55.5,
                value_text: "55.5".into(),
            },
        ];
        let svg = bar_chart(&bars, "Per 1,000 inhabitants", "Ranking").into_string();
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains(">Colombia<") && svg.contains(">Per 1,000 inhabitants<"));
        assert!(bar_chart(&[], "x", "t").into_string().contains("No values"));
    }

    #[test]
    fn chart_has_axes_labels_and_a_line() {
        let svg = line_chart(
            &[Line {
                label: "HTI".into(),
                points: vec![("2021-01".into(), 10.0), ("2021-02".into(), 30.0)],
            }],
            "Transits",
            "Darién transits",
        )
        .into_string();
        assert!(svg.contains("<polyline"));
        assert!(svg.contains(">Transits<") && svg.contains(">Month<") && svg.contains(">2021<"));
    }
}

/// A horizontal bar filled to `share` (0 to 1, clamped; none drawn empty), as SVG
/// because the CSP forbids inline styles. The caller writes the figure beside it.
pub fn progress_bar(share: Option<f64>, width: f64, height: f64) -> Markup {
    let filled = share.unwrap_or(0.0).clamp(0.0, 1.0) * width;
    let label = share.map_or("no report yet".into(), |s| {
        format!("{:.0}% of the way to the target", s * 100.0)
    });
    html! {
        svg.bar width=(width) height=(height) role="img" aria-label=(label) xmlns="http://www.w3.org/2000/svg" {
            rect width=(width) height=(height) rx="2" fill="#e4e8ed" {}
            rect width=(format!("{filled:.1}")) height=(height) rx="2" fill="#1f7a4d" {}
        }
    }
}
