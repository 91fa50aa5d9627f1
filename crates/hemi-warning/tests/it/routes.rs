//! Country roles, corridor lead times and forecasts on the real tables in `data/`.

use hemi_core::Period;
use hemi_warning::corridor::{fit_corridor, lead_time, project, CorridorParams};
use hemi_warning::events::events_as_of;
use hemi_warning::replay::replay;
use hemi_warning::roles::{assign_roles, Role, RoleInputs, Routes};
use hemi_warning::series::MonthlySeries;

use crate::realdata::{desa_stocks, mexico_returns, presentations, repo_file, series};
use crate::warning::shipped_rules;

fn routes() -> Routes {
    Routes::parse("rules/routes.toml", &repo_file("rules/routes.toml")).unwrap()
}

#[test]
fn haitian_2021_roles() {
    let rules = shipped_rules();
    let as_of = Period::Month(2021, 12);
    let hti: Vec<MonthlySeries> = ["PAN", "HND", "MEX", "USA"]
        .iter()
        .map(|c| series(c, "HTI"))
        .collect();
    let rows = replay(&hti, Period::Month(2020, 10), as_of, &rules);
    let events = events_as_of(&rows, as_of, &rules.events);
    let event = events
        .iter()
        .find(|e| e.first_alert.year() == 2021)
        .unwrap();
    // Stocks: UN DESA, latest year <= 2021 (2020), destinations in the Americas.
    let stocks = desa_stocks("HTI", event.first_alert.year());
    // Presentations: the Haitian series, and every nationality's at Panama (companions).
    let pan = presentations()
        .iter()
        .find(|t| t.reporting == "PAN")
        .unwrap();
    let mut all = hti.clone();
    all.extend(stocks.keys().map(|c| pan.series(Some(c))));
    let returns = vec![mexico_returns().series(Some("HTI"))];
    let routes = routes();
    let inputs = RoleInputs {
        event,
        as_of,
        presentations: &all,
        returns: &returns,
        stocks: &stocks,
        routes: &routes,
    };
    let a = assign_roles(&inputs).unwrap();
    for r in &a.roles {
        println!("{} {:?}: {}", r.country, r.role, r.evidence);
    }
    let with = |role: Role| -> Vec<&str> {
        let mut v: Vec<&str> = a
            .roles
            .iter()
            .filter(|r| r.role == role)
            .map(|r| r.country.as_str())
            .collect();
        v.sort();
        v
    };
    assert_eq!(a.corridor, "darien");
    assert_eq!(with(Role::Sending), ["BRA", "CHL"]);
    // Honduras has no alert month in the event (its one-month Haitian spike of 2021-07
    // is not confirmed by two detectors under the shipped rules: the in-sample miss in
    // data/labels/README.md), but it lies between observed points and counts Haitians:
    // transit, with its count and no alert month as the evidence.
    assert_eq!(with(Role::Transit), ["HND", "PAN"]);
    let hnd = a.roles.iter().find(|r| r.country == "HND").unwrap();
    assert!(hnd.evidence.contains("no alert month"), "{}", hnd.evidence);
    assert!(hnd
        .figures
        .iter()
        .any(|(k, v)| k == "alert_months" && *v == 0.0));
    assert!(hnd
        .figures
        .iter()
        .any(|(k, v)| k == "presentations" && *v > 1_000.0));
    assert_eq!(with(Role::InferredTransit), ["COL", "CRI", "GTM", "NIC"]);
    assert_eq!(with(Role::TransitReceiving), ["MEX"]);
    assert_eq!(with(Role::Receiving), ["USA"]);
    // Evidence carries numbers: Chile's stock and its nationals at Panama.
    let chl = a.roles.iter().find(|r| r.country == "CHL").unwrap();
    assert!(chl
        .figures
        .iter()
        .any(|(k, v)| k == "stock" && *v > 100_000.0));
    assert!(chl
        .figures
        .iter()
        .any(|(k, v)| k == "CHL_at_PAN" && *v > 1_000.0));
    // Dominican Republic hosts a large Haitian diaspora but its nationals do not cross
    // the Darién with them: not sending.
    assert!(stocks["DOM"] > 100_000.0 && with(Role::Sending).iter().all(|c| *c != "DOM"));
}

#[test]
fn routes_file_errors_have_lines() {
    let text = repo_file("rules/routes.toml");
    let bad = text.replace("\"CRI\", \"NIC\"", "\"CRI\", \"Nic\"");
    let e = Routes::parse("routes.toml", &bad).unwrap_err();
    let line = text
        .lines()
        .position(|l| l.contains("\"CRI\", \"NIC\""))
        .unwrap()
        + 1;
    assert_eq!(e.line, line, "{e}");
    let bad = text.replace("min_stock = 10000", "min_stock = -1.0");
    assert!(Routes::parse("routes.toml", &bad)
        .unwrap_err()
        .message
        .contains("min_stock"));
}

/// PAN -> USA lead time for Haitians using data up to 2021-09 only is plausible
/// (1-4 months: weeks through Central America and Mexico, then waits in Mexico).
#[test]
fn darien_to_us_lead_time_2021() {
    let as_of = Period::Month(2021, 9);
    let params = CorridorParams::default();
    let (pan, usa) = (series("PAN", "HTI"), series("USA", "HTI"));
    let lead = lead_time(&pan, &usa, as_of, &params).unwrap();
    println!("PAN->USA HTI as of {as_of}: {lead:?}");
    assert!((1..=4).contains(&lead.lag), "{lead:?}");
    // Same answer with everything after 2021-09 removed: no look-ahead.
    assert_eq!(
        lead_time(&pan.cut_at(as_of), &usa.cut_at(as_of), as_of, &params),
        Some(lead.clone())
    );
    for down in ["HND", "MEX"] {
        let l = lead_time(&pan, &series(down, "HTI"), as_of, &params).unwrap();
        println!("PAN->{down} HTI: lag {} r {:.2}", l.lag, l.correlation);
    }
    // Projection after an upstream alert: an 80% interval around a positive point.
    let model = fit_corridor(&pan, &usa, as_of, &params).unwrap();
    let p = project(&model, &pan, Period::Month(2021, 7), 4);
    println!("{model:?}\n{p:?}");
    assert_eq!(p.len(), 4);
    assert!(p
        .iter()
        .all(|x| x.lower80 <= x.point && x.point <= x.upper80 && x.point > 0.0));
}
