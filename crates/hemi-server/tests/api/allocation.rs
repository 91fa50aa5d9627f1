//! Allocation over HTTP: a draw opened and run by a scheduler through the API, read and
//! verified by anyone; placement plans solved, explained and overridden by a
//! coordinator, refused to everyone else; every change in the audit log.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use hemi_core::Role;

use super::{audit, get_as, send, session, Answer, TestApp};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(
        hemi_testing::repo_root()
            .join("crates/hemi-allocation/test_data/lottery")
            .join(name),
    )
    .unwrap()
}

async fn post_json(
    app: &TestApp,
    role: Option<Role>,
    uri: &str,
    body: serde_json::Value,
) -> Answer {
    let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(role) = role {
        request = request.header(header::COOKIE, session(app, role).await.0);
    }
    send(app, request.body(Body::from(body.to_string())).unwrap()).await
}

pub async fn draws_are_public_and_verifiable(app: &TestApp) {
    app.app
        .register_households(
            fixture("registrations_private.csv"),
            "registrations.csv",
            &super::operator(),
        )
        .await
        .unwrap();
    let open =
        serde_json::json!({"policy": fixture("policy.txt"), "public_value_source": "the fixture"});
    assert_eq!(
        post_json(app, None, "/api/appointments/draws", open.clone())
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post_json(
            app,
            Some(Role::PlacementCoordinator),
            "/api/appointments/draws",
            open.clone()
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let opened = post_json(app, Some(Role::Scheduler), "/api/appointments/draws", open).await;
    assert_eq!(opened.status, StatusCode::CREATED, "{}", opened.body);
    let id = opened.json()["id"].as_i64().unwrap();
    assert_eq!(
        opened.json()["commitment"],
        fixture("commitment.txt").trim()
    );
    let value = fixture("public_value.txt");
    let run = serde_json::json!({"public_value": value.trim_end_matches('\n')});
    let drawn = post_json(
        app,
        Some(Role::Scheduler),
        &format!("/api/appointments/draws/{id}/run"),
        run.clone(),
    )
    .await;
    assert_eq!(drawn.status, StatusCode::OK, "{}", drawn.body);
    let again = post_json(
        app,
        Some(Role::Scheduler),
        &format!("/api/appointments/draws/{id}/run"),
        run,
    )
    .await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    // Anyone reads the draw and its files, and can have it re-run.
    let detail = get_as(app, None, &format!("/api/appointments/draws/{id}")).await;
    assert_eq!(detail.status, StatusCode::OK);
    let json = detail.json();
    let result = json["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "result.csv")
        .unwrap();
    assert_eq!(result["content"], fixture("result.csv"));
    assert!(!json["by_wait_band"].as_array().unwrap().is_empty());
    let verified = get_as(
        app,
        None,
        &format!("/api/appointments/draws/{id}/verification"),
    )
    .await;
    assert_eq!(verified.json()["verified"], true, "{}", verified.body);
    let page = get_as(app, None, &format!("/draws/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains(fixture("commitment.txt").trim()));
    assert!(page
        .body
        .contains(&format!("hemi appointments verify {id}")));
    let listed = get_as(app, None, "/draws").await;
    assert!(listed.body.contains(&format!("/draws/{id}")));
    let actions: Vec<String> = audit(app).await.into_iter().map(|e| e.action).collect();
    assert!(
        actions.iter().any(|a| a == "draw_opened") && actions.iter().any(|a| a == "draw_run"),
        "{actions:?}"
    );
}

pub async fn placement_plans_are_for_coordinators(app: &TestApp) {
    let instance = hemi_allocation::placement::synth(&hemi_allocation::placement::SynthOptions {
        households: 60,
        sites: 6,
        arcs_per_household: Some(4),
        seed: 3,
        ..Default::default()
    });
    let (mut h, mut s, mut a) = (Vec::new(), Vec::new(), Vec::new());
    instance
        .write_files(hemi_allocation::placement::SynthFiles {
            households: &mut h,
            sites: &mut s,
            arcs: &mut a,
        })
        .unwrap();
    let files = hemi_store::allocation::InstanceFiles {
        households_csv: String::from_utf8(h).unwrap(),
        sites_csv: String::from_utf8(s).unwrap(),
        arcs_csv: String::from_utf8(a).unwrap(),
    };
    let stored = app
        .app
        .store_placement_instance("t", files, Default::default(), &super::operator())
        .await
        .unwrap();
    let uri = format!("/api/placement/instances/{}/plans", stored.id);
    assert_eq!(
        post_json(app, Some(Role::Scheduler), &uri, serde_json::json!({}))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let solved = post_json(
        app,
        Some(Role::PlacementCoordinator),
        &uri,
        serde_json::json!({}),
    )
    .await;
    assert_eq!(solved.status, StatusCode::CREATED, "{}", solved.body);
    let plan = solved.json()["id"].as_i64().unwrap();
    assert!(
        solved.json()["upper_bound"].as_f64().unwrap()
            >= solved.json()["objective"].as_f64().unwrap() - 1e-9
    );
    assert_eq!(
        get_as(app, None, "/api/placement/plans").await.status,
        StatusCode::UNAUTHORIZED
    );
    let detail = get_as(
        app,
        Some(Role::PlacementCoordinator),
        &format!("/api/placement/plans/{plan}"),
    )
    .await;
    assert_eq!(detail.json()["occupancy"].as_array().unwrap().len(), 6);
    // Move the first household that has an alternative with room.
    let mut target = None;
    for k in 0..60 {
        let e = get_as(
            app,
            Some(Role::PlacementCoordinator),
            &format!("/api/placement/plans/{plan}/households/H{k:06}"),
        )
        .await;
        assert_eq!(e.status, StatusCode::OK, "{}", e.body);
        let e = e.json();
        if let Some(alt) = e["alternatives"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["people_to_displace"] == 0)
        {
            target = Some((
                format!("H{k:06}"),
                alt["site_id"].as_str().unwrap().to_owned(),
            ));
            break;
        }
    }
    let (household, site) = target.expect("an alternative with room");
    let overrides = format!("/api/placement/plans/{plan}/overrides");
    let no_reason = post_json(
        app,
        Some(Role::PlacementCoordinator),
        &overrides,
        serde_json::json!({"household_id": household, "site_id": site, "reason": ""}),
    )
    .await;
    assert_eq!(
        no_reason.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        no_reason.body
    );
    let done = post_json(
        app,
        Some(Role::PlacementCoordinator),
        &overrides,
        serde_json::json!({"household_id": household, "site_id": site, "reason": "sister nearby"}),
    )
    .await;
    assert_eq!(done.status, StatusCode::CREATED, "{}", done.body);
    assert_eq!(done.json()["plan"]["based_on"], plan);
    let page = get_as(
        app,
        Some(Role::PlacementCoordinator),
        &format!(
            "/placement?plan={}&household={household}",
            done.json()["plan"]["id"]
        ),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(
        page.body.contains("sister nearby"),
        "the page shows the override's reason"
    );
    let override_entry = audit(app)
        .await
        .into_iter()
        .find(|e| e.action == "placement_override")
        .expect("audited");
    assert!(
        override_entry.detail.contains("sister nearby"),
        "{}",
        override_entry.detail
    );
}
