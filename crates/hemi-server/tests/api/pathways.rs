//! Pathways over HTTP: the public catalogue with places left (page and API), the
//! officer's intake form refused with field errors that keep what was typed, then
//! accepted; the queue and an application through the API, scoped to the officer's
//! office; a referral through the page and the cap's places going down.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use hemi_app::pathways::cases::{NewApplication, NewMember};
use hemi_core::Role;
use hemi_pathways::{Date, FactValue, Facts};

use super::{get_as, operator, send, session, TestApp};

fn form(cookie: &str, uri: &str, body: String) -> Request<Body> {
    Request::post(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body))
        .unwrap()
}

pub async fn pathways_catalogue_intake_queue_and_referral(app: &TestApp) {
    let api = get_as(app, None, "/api/pathways/programs?on=2024-01-15").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let doc = api.json();
    let haiti = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "us-chnv-haiti")
        .unwrap();
    assert_eq!(haiti["open"], true);
    assert_eq!(haiti["caps"][0]["remaining_places"], 30000);
    let bad = get_as(app, None, "/api/pathways/programs?on=2024-13-45").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    let public = get_as(app, None, "/pathways?on=2024-01-15").await;
    assert_eq!(public.status, StatusCode::OK);
    assert!(public.body.contains("Legal pathways"));
    assert!(public.body.contains("program-us-chnv-haiti"));

    // The officer of Bogotá records a household; a bad date of birth is refused first,
    // with the name typed kept.
    let (cookie, csrf) = session(app, Role::PathwaysOfficer).await;
    let fields = |dob: &str| {
        format!(
            "csrf={csrf}&office=SMO-COL-BOG&received_on=2024-01-10&location=COL&given_names_0=Marie&family_names_0=Joseph&date_of_birth_0={dob}&sex_0=female&nationality_0=HTI"
        )
    };
    let refused = send(
        app,
        form(&cookie, "/pathways/applications", fields("1990-02-31")),
    )
    .await;
    assert_eq!(
        refused.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        refused.body
    );
    assert!(
        refused.body.contains("value=\"Marie\""),
        "what was typed is kept"
    );
    assert!(
        refused.body.contains("f-date_of_birth_0-error"),
        "the error is beside the field"
    );
    let accepted = send(
        app,
        form(&cookie, "/pathways/applications", fields("1990-03-04")),
    )
    .await;
    assert_eq!(accepted.status, StatusCode::SEE_OTHER, "{}", accepted.body);
    let location = accepted.headers[header::LOCATION]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        location.starts_with("/pathways/applications/SMO-COL-BOG-"),
        "{location}"
    );
    let id = location
        .trim_start_matches("/pathways/applications/")
        .split('?')
        .next()
        .unwrap()
        .to_owned();

    // Another office's case, recorded from the command line.
    app.app
        .pathways_apply(
            &[NewApplication {
                application_id: Some("QUITO-1".into()),
                office: "SMO-ECU-UIO".into(),
                received_on: Date::parse("2024-01-11").unwrap(),
                members: vec![NewMember {
                    person_id: None,
                    given_names: "Ana".into(),
                    family_names: "Rivas".into(),
                    date_of_birth: Date::parse("1985-01-01").ok(),
                    relationship: String::new(),
                    facts: Facts::new().with("nationality", FactValue::Text("VEN".into())),
                }],
            }],
            &operator(),
        )
        .await
        .unwrap();
    let queue = send(
        app,
        Request::get("/api/pathways/queue?as_of=2024-01-15")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.body);
    let items = queue.json()["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1, "only the officer's office: {items:?}");
    assert_eq!(items[0]["application_id"], id.as_str());
    assert_eq!(items[0]["waiting_days"], 5);
    let other = send(
        app,
        Request::get("/api/pathways/applications/QUITO-1")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN, "{}", other.body);

    // The interview records the passport and supporter; the page refers her to CHNV.
    let page_uri = format!("/pathways/applications/{id}");
    let screened = send(
        app,
        form(
            &cookie,
            &format!("{page_uri}/screening"),
            format!("csrf={csrf}&person={id}-0&held_on=2024-01-12&notes=&facts=documents%3Dpassport%0Ahas_us_supporter%3Dtrue%0Airregular_entry_after_cutoff%3Dfalse%0Aus_removal_order_past_5_years%3Dfalse"),
        ),
    )
    .await;
    assert_eq!(screened.status, StatusCode::SEE_OTHER, "{}", screened.body);
    let referred = send(
        app,
        form(
            &cookie,
            &format!("{page_uri}/referrals"),
            format!("csrf={csrf}&person={id}-0&program=us-chnv-haiti&on=2024-01-15"),
        ),
    )
    .await;
    assert_eq!(referred.status, StatusCode::SEE_OTHER, "{}", referred.body);
    let again = send(
        app,
        form(
            &cookie,
            &format!("{page_uri}/referrals"),
            format!("csrf={csrf}&person={id}-0&program=us-chnv-haiti&on=2024-01-16"),
        ),
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);
    assert!(again.body.contains("active referral"), "{}", again.body);
    let case = send(
        app,
        Request::get(format!("/api/pathways/applications/{id}?as_of=2024-01-15"))
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(case.status, StatusCode::OK, "{}", case.body);
    assert_eq!(case.json()["referrals"][0]["state"], "pending");
    let api = get_as(app, None, "/api/pathways/programs?on=2024-01-15")
        .await
        .json();
    let haiti = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "us-chnv-haiti")
        .unwrap()
        .clone();
    assert_eq!(haiti["caps"][0]["remaining_places"], 29999);
}
