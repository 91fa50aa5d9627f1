//! The app driven through `tower::ServiceExt::oneshot`, without a socket, on SQLite
//! and on PostgreSQL (each PostgreSQL test in its own schema; the server is at
//! HEMI_TEST_DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use hemi_app::accounts::{hash_token, random_token};
use hemi_app::{Actor, App, Config};
use hemi_core::{CountryCodes, Role};
use hemi_flows::parse_table;
use hemi_server::access::Access;
use hemi_server::routing::RouteInfo;
use hemi_server::{app, AppState, ServerConfig};
use hemi_store::{AuditFilter, ImportItem, Store};
use http_body_util::BodyExt;
use tower::ServiceExt;

#[path = "api/allocation.rs"]
mod allocation;
#[path = "api/pathways.rs"]
mod pathways;
#[path = "api/public_attack.rs"]
mod public_attack;
use pathways::pathways_catalogue_intake_queue_and_referral;
use public_attack::every_public_table_survives_the_attackers_audit;

const SESSION_COOKIE: &str = "hemi_session";
const LOGIN_CSRF_COOKIE: &str = "hemi_login_csrf";

const PANAMA_CSV: &str = "period,nationality,count\n\
2023-01,HTI,1200\n2023-01,VEN,3\n2023-01,CUB,40\n\
2023-02,HTI,1100\n2023-02,VEN,25\n2023-02,CUB,2\n\
2023-03,HTI,900\n2023-03,VEN,30\n2023-03,CUB,45\n";
const HONDURAS_CSV: &str = "month,nationality,count\n2023-01,HTI,50\n2023-01,VEN,60\n";

struct TestApp {
    router: Router,
    store: Store,
    app: App,
    routes: Vec<RouteInfo>,
    _dir: Option<tempfile::TempDir>,
}

fn operator() -> Actor {
    Actor::cli("test", None)
}

async fn import_fixture(app: &App, profile: &str, file: &str, csv: &str) {
    let profile = app.config().profiles.get(profile).unwrap().clone();
    let table = parse_table(&profile, file, csv.as_bytes(), CountryCodes::bundled())
        .expect("fixture is valid");
    let mut tx = app.store().begin().await.unwrap();
    tx.import(
        vec![ImportItem::Observations { profile, table }],
        "2024-01-01T00:00:00Z",
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
}

async fn build(store: Store, dir: Option<tempfile::TempDir>) -> TestApp {
    let application = App::new(store.clone(), Config::bundled().unwrap());
    // The registry runs only with its keys, as a deployment would.
    application.set_registry_keys(
        hemi_app::registry::RegistryKeys::parse(
            &hemi_app::registry::RegistryKeys::generate("test"),
            "test.keys",
        )
        .unwrap(),
    );
    import_fixture(
        &application,
        "panama_darien_nationality",
        "panama.csv",
        PANAMA_CSV,
    )
    .await;
    import_fixture(
        &application,
        "honduras_entries_nationality",
        "honduras.csv",
        HONDURAS_CSV,
    )
    .await;
    for role in Role::ALL {
        let country = role.is_country_scoped().then_some("PAN");
        let office = role.is_office_scoped().then_some("SMO-COL-BOG");
        application
            .add_user(
                role.as_str(),
                role,
                country,
                office,
                "a long enough password",
                &operator(),
            )
            .await
            .unwrap();
    }
    let state = AppState::new(application.clone(), ServerConfig::default(), &[7u8; 64]);
    let router = app(state.clone());
    TestApp {
        router,
        store,
        routes: state.routes().to_vec(),
        app: application,
        _dir: dir,
    }
}

async fn audit(app: &TestApp) -> Vec<hemi_store::AuditEvent> {
    app.app
        .audit_log(&AuditFilter {
            limit: 1000,
            ..Default::default()
        })
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect()
}

async fn sqlite_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path().join("test.db").to_str().unwrap())
        .await
        .unwrap();
    build(store, Some(dir)).await
}

async fn postgres_app(test: &str) -> TestApp {
    let base = std::env::var("HEMI_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".into());
    let schema = format!("hemi_server_{test}");
    let url = hemi_store::create_postgres_schema(&base, &schema)
        .await
        .unwrap_or_else(|e| panic!("PostgreSQL at {base} is needed for this test: {e}"));
    build(Store::open(&url).await.unwrap(), None).await
}

/// Run a scenario on both backends.
macro_rules! on_both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(&super::sqlite_app().await).await;
            }
            #[tokio::test]
            async fn postgres() {
                super::$name(&super::postgres_app(stringify!($name)).await).await;
            }
        }
    };
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
}

async fn send(app: &TestApp, request: Request<Body>) -> Answer {
    let response = app.router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        headers,
        body: String::from_utf8_lossy(&bytes).into_owned(),
    }
}

/// A fresh session for the account of a role: (cookie header, csrf token).
async fn session(app: &TestApp, role: Role) -> (String, String) {
    let user = app
        .store
        .user_by_name(role.as_str())
        .await
        .unwrap()
        .unwrap();
    let (token, csrf) = (random_token(), random_token());
    app.store
        .insert_session(&hash_token(&token), user.id, &csrf, 0, i64::MAX / 2)
        .await
        .unwrap();
    (format!("{SESSION_COOKIE}={token}"), csrf)
}

async fn get_as(app: &TestApp, role: Option<Role>, uri: &str) -> Answer {
    let mut request = Request::get(uri);
    if let Some(role) = role {
        request = request.header(header::COOKIE, session(app, role).await.0);
    }
    send(app, request.body(Body::empty()).unwrap()).await
}

fn multipart(fields: &[(&str, Option<&str>, &str)]) -> (String, String) {
    let boundary = "hemi-test-boundary";
    let mut body = String::new();
    for (name, file_name, content) in fields {
        body += &format!("--{boundary}\r\n");
        match file_name {
            Some(f) => body += &format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: text/csv\r\n\r\n"),
            None => body += &format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n"),
        }
        body += content;
        body += "\r\n";
    }
    body += &format!("--{boundary}--\r\n");
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// The login form as a browser gets it: (cookie header with the signed CSRF cookie, token).
async fn login_form(app: &TestApp) -> (String, String) {
    let form = send(app, Request::get("/login").body(Body::empty()).unwrap()).await;
    let set_cookie = form.headers[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(set_cookie.starts_with(LOGIN_CSRF_COOKIE), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let token = form
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    (cookie, token)
}

fn with_peer(mut request: Request<Body>, ip: [u8; 4]) -> Request<Body> {
    request
        .extensions_mut()
        .insert(ConnectInfo(SocketAddr::from((ip, 40000))));
    request
}

// ---------------------------------------------------------------- access table walk

/// Every route as every role (and anonymous): allowed callers get the route's normal
/// answer, anonymous callers 302 to the login page (pages) or 401 (API), others 403.
async fn every_route_as_every_role(app: &TestApp) {
    // The stylesheet's fingerprinted path is in every page's <link>.
    let home = get_as(app, None, "/").await.body;
    let css_path = home
        .split("href=\"/static/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|s| format!("/static/{s}"))
        .expect("page links the stylesheet");
    let mut walked = 0;
    for rule in &app.routes {
        let uri = rule
            .path
            .replace("/static/{file}", &css_path)
            .replace("/jobs/{id}", "/jobs/999999")
            .replace("/sessions/{id}", "/sessions/999999")
            .replace("/tasks/{id}", "/tasks/999999")
            .replace("{id}", "NONE-2000-01")
            .replace("{name}", "nobody")
            .replace("{household_id}", "H0")
            .replace("{quarter}", "2021Q3");
        assert!(!uri.contains('{'), "no probe for {}", rule.path);
        let callers: Vec<Option<Role>> = std::iter::once(None)
            .chain(Role::ALL.into_iter().map(Some))
            .collect();
        for caller in callers {
            let mut request = Request::builder().method(rule.method.clone()).uri(&uri);
            let mut csrf = String::new();
            if let Some(role) = caller {
                let (cookie, token) = session(app, role).await;
                request = request.header(header::COOKIE, cookie);
                csrf = token;
            }
            let path = rule.path.as_str();
            let request = match (rule.method.as_str(), path) {
                ("GET", _) => request.body(Body::empty()).unwrap(),
                ("POST", "/login") => {
                    let (cookie, token) = login_form(app).await;
                    request
                        .header(header::COOKIE, cookie)
                        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                        // A name per call: the walk must not trip the login rate limit.
                        .body(Body::from(format!(
                            "username=nobody{walked}&password=wrong&csrf={token}"
                        )))
                        .unwrap()
                }
                ("POST", "/import") => {
                    let (content_type, body) = multipart(&[("csrf", None, &csrf)]);
                    request
                        .header(header::CONTENT_TYPE, content_type)
                        .body(Body::from(body))
                        .unwrap()
                }
                ("POST", _) => request
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(Body::from(format!("csrf={csrf}&upload=none")))
                    .unwrap(),
                (method, path) => panic!("no probe for {method} {path}"),
            };
            let answer = send(app, request).await;
            let allowed = rule.access.allows(caller);
            let expected = if allowed {
                match (rule.method.as_str(), path) {
                    (
                        "GET",
                        "/events/{id}"
                        | "/api/events/{id}"
                        | "/jobs/{id}"
                        | "/api/jobs/{id}"
                        | "/secretariat/sessions/{id}",
                    ) => {
                        StatusCode::NOT_FOUND // no such event, job or session
                    }
                    ("GET", "/pathways/applications/{id}" | "/api/pathways/applications/{id}") => {
                        StatusCode::NOT_FOUND
                    } // no such application
                    ("GET", "/api/registry/persons") => StatusCode::BAD_REQUEST, // no search text
                    ("POST", "/api/registry/persons") => StatusCode::BAD_REQUEST, // JSON only: a form is refused as problem details
                    ("GET", "/registry/persons/{id}" | "/api/registry/persons/{id}") => {
                        StatusCode::NOT_FOUND
                    } // no such record
                    (
                        "POST",
                        "/registry/persons/{id}/permits"
                        | "/registry/review/{id}"
                        | "/api/registry/review/{id}",
                    ) => StatusCode::NOT_FOUND, // no such record or review item
                    (
                        "POST",
                        "/api/registry/persons/{id}/permits"
                        | "/api/registry/permits/{id}/transitions",
                    ) => StatusCode::BAD_REQUEST, // JSON only: a form is refused as problem details
                    (
                        "GET",
                        "/draws/{id}"
                        | "/draws/{id}/verification"
                        | "/api/appointments/draws/{id}"
                        | "/api/appointments/draws/{id}/verification"
                        | "/api/placement/plans/{id}"
                        | "/api/placement/plans/{id}/households/{household_id}",
                    ) => StatusCode::NOT_FOUND, // no such draw or plan
                    ("GET", _) => StatusCode::OK,
                    ("POST", "/api/appointments/draws") => StatusCode::BAD_REQUEST, // a form, not JSON
                    (
                        "POST",
                        "/api/appointments/draws/{id}/run"
                        | "/api/placement/instances/{id}/plans"
                        | "/api/placement/plans/{id}/overrides"
                        | "/placement/plans/{id}/override",
                    ) => StatusCode::NOT_FOUND, // no such draw, instance or plan
                    ("POST", "/login") => StatusCode::UNAUTHORIZED, // wrong password, shown on the form
                    ("POST", "/logout") => StatusCode::SEE_OTHER,
                    ("POST", "/import") => StatusCode::BAD_REQUEST, // no file chosen
                    ("POST", "/import/commit") => StatusCode::NOT_FOUND, // nothing waiting
                    ("POST", "/events/{id}/status") => StatusCode::NOT_FOUND, // no such event
                    ("POST", p) if p.contains("{name}") => match p {
                        "/admin/users/{name}/role" => StatusCode::UNPROCESSABLE_ENTITY, // no role chosen
                        _ => StatusCode::NOT_FOUND, // no such account or subscriber
                    },
                    (
                        "POST",
                        "/secretariat/sessions/{id}/decisions"
                        | "/secretariat/sessions/{id}/assessments"
                        | "/tasks/{id}",
                    ) => {
                        StatusCode::NOT_FOUND // no such session or task
                    }
                    (
                        "POST",
                        "/pathways/applications/{id}/screening"
                        | "/pathways/applications/{id}/referrals"
                        | "/pathways/applications/{id}/outcomes",
                    ) => StatusCode::NOT_FOUND, // no such application
                    ("POST", _) => StatusCode::UNPROCESSABLE_ENTITY, // an empty form: field errors
                    (m, p) => panic!("no expectation for {m} {p}"),
                }
            } else if caller.is_none() {
                if rule.path.starts_with("/api/") {
                    StatusCode::UNAUTHORIZED
                } else {
                    StatusCode::FOUND
                }
            } else {
                StatusCode::FORBIDDEN
            };
            assert_eq!(
                answer.status,
                expected,
                "{} {} as {:?}: {}",
                rule.method,
                rule.path,
                caller,
                &answer.body[..answer.body.len().min(300)]
            );
            if expected == StatusCode::FOUND {
                let location = answer.headers[header::LOCATION].to_str().unwrap();
                assert!(location.starts_with("/login?next="), "{location}");
            }
            walked += 1;
        }
    }
    assert_eq!(walked, app.routes.len() * (Role::ALL.len() + 1));
    // The public routes are few and named.
    let public: Vec<(String, &str)> = app
        .routes
        .iter()
        .filter(|r| r.access == Access::Public)
        .map(|r| (r.method.to_string(), r.path.as_str()))
        .collect();
    assert_eq!(
        public,
        [
            ("GET".to_owned(), "/"),
            ("GET".into(), "/healthz"),
            ("GET".into(), "/readyz"),
            ("GET".into(), "/static/{file}"),
            ("GET".into(), "/api/openapi.json"),
            ("GET".into(), "/login"),
            ("POST".into(), "/login"),
            ("GET".into(), "/portal"),
            ("GET".into(), "/api/portal"),
            ("GET".into(), "/indicators"),
            ("GET".into(), "/api/indicators"),
            ("GET".into(), "/governance"),
            ("GET".into(), "/api/commitments"),
            ("GET".into(), "/pathways"),
            ("GET".into(), "/api/pathways/programs"),
            ("GET".into(), "/draws"),
            ("GET".into(), "/draws/{id}"),
            ("GET".into(), "/draws/{id}/verification"),
            ("GET".into(), "/api/appointments/draws"),
            ("GET".into(), "/api/appointments/draws/{id}"),
            ("GET".into(), "/api/appointments/draws/{id}/verification"),
            ("GET".into(), "/api/registry/statistics"),
        ]
    );
    // Every route declares its rule where it is registered: there is no route without one.
    let router_paths = app
        .routes
        .iter()
        .filter(|r| r.method == Method::GET)
        .count();
    assert!(router_paths > 20);
}
on_both_backends!(every_route_as_every_role);
on_both_backends!(draws_are_public_and_verifiable);
on_both_backends!(placement_plans_are_for_coordinators);
on_both_backends!(pathways_catalogue_intake_queue_and_referral);
use allocation::{draws_are_public_and_verifiable, placement_plans_are_for_coordinators};

// ---------------------------------------------------------------- API

async fn series_are_paged_with_a_maximum(app: &TestApp) {
    let all = get_as(app, Some(Role::Secretariat), "/api/series?limit=1000").await;
    assert_eq!(all.status, StatusCode::OK);
    let all = all.json();
    assert_eq!(all["total"], 5, "3 Panama + 2 Honduras nationalities");
    assert_eq!(all["limit"], 1000);
    let first = get_as(app, Some(Role::Secretariat), "/api/series?limit=2&offset=0")
        .await
        .json();
    let second = get_as(app, Some(Role::Secretariat), "/api/series?limit=2&offset=2")
        .await
        .json();
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    assert_eq!(second["items"].as_array().unwrap().len(), 2);
    assert_ne!(first["items"][0]["id"], second["items"][0]["id"]);
    assert_eq!(first["items"][0], all["items"][0]);
    assert_eq!(second["items"][0], all["items"][2]);

    let too_many = get_as(app, Some(Role::Secretariat), "/api/series?limit=1001").await;
    assert_eq!(too_many.status, StatusCode::UNPROCESSABLE_ENTITY);
    // Offsets are bounded too, and the bound is in the OpenAPI document (a client that
    // follows the schema never sends one the server cannot read).
    let far = get_as(app, Some(Role::Secretariat), "/api/series?offset=1000001").await;
    assert_eq!(far.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", far.body);
    let huge = get_as(
        app,
        Some(Role::Secretariat),
        "/api/series?offset=14231888811720647376896",
    )
    .await;
    assert_eq!(huge.status, StatusCode::BAD_REQUEST);
    let doc = get_as(app, None, "/api/openapi.json").await.json();
    let offset = doc["paths"]["/api/series"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "offset")
        .unwrap()
        .clone();
    assert_eq!(offset["schema"]["maximum"], 1_000_000, "{offset}");
    assert_eq!(
        too_many.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(too_many.json()["parameter"], "limit");
    assert_eq!(
        get_as(app, Some(Role::Secretariat), "/api/series?limit=0")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let malformed = get_as(app, Some(Role::Secretariat), "/api/series?limit=many").await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
    assert_eq!(malformed.json()["status"], 400);

    let filtered = get_as(
        app,
        Some(Role::Secretariat),
        "/api/series?reporting=pan&nationality=HTI",
    )
    .await
    .json();
    assert_eq!(filtered["total"], 1);
    assert_eq!(filtered["items"][0]["source"], "panama_darien_nationality");
}
on_both_backends!(series_are_paged_with_a_maximum);

async fn values_and_totals_sum_per_period(app: &TestApp) {
    let values = get_as(
        app,
        Some(Role::WatchOfficer),
        "/api/series/values?reporting=PAN&nationality=VEN&from=2023-02&to=2023",
    )
    .await;
    assert_eq!(values.status, StatusCode::OK, "{}", values.body);
    let items = values.json()["items"].as_array().unwrap().clone();
    let got: Vec<(String, f64)> = items
        .iter()
        .map(|i| {
            (
                i["period"].as_str().unwrap().to_owned(),
                i["value"].as_f64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [("2023-02".to_owned(), 25.0), ("2023-03".to_owned(), 30.0)]
    );

    let totals = get_as(app, Some(Role::WatchOfficer), "/api/totals?reporting=PAN")
        .await
        .json();
    let got: Vec<f64> = totals["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["value"].as_f64().unwrap())
        .collect();
    assert_eq!(got, [1243.0, 1127.0, 975.0]);

    let bad_period = get_as(
        app,
        Some(Role::WatchOfficer),
        "/api/series/values?from=2023-13",
    )
    .await;
    assert_eq!(bad_period.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_period.json()["parameter"], "from");
}
on_both_backends!(values_and_totals_sum_per_period);

async fn tables_come_as_csv_too(app: &TestApp) {
    let by_parameter = get_as(
        app,
        Some(Role::Admin),
        "/api/totals?reporting=PAN&format=csv",
    )
    .await;
    assert_eq!(by_parameter.status, StatusCode::OK);
    assert!(by_parameter.headers[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    let lines: Vec<&str> = by_parameter.body.lines().collect();
    assert_eq!(
        lines[0],
        "period,reporting,measure,breakdown,value,series,vintage"
    );
    assert_eq!(
        lines[1],
        "2023-01,PAN,darien_transits,nationality,1243.0,3,1"
    );

    let (cookie, _) = session(app, Role::Admin).await;
    let by_accept = send(
        app,
        Request::get("/api/series?reporting=HND")
            .header(header::COOKIE, cookie)
            .header(header::ACCEPT, "text/csv")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert!(by_accept
        .body
        .starts_with("id,source,reporting,measure,breakdown,nationality"));
    assert_eq!(by_accept.body.lines().count(), 3);

    // An empty table still has its header (a known country, months without data).
    let empty = get_as(
        app,
        Some(Role::Admin),
        "/api/series/values?reporting=PAN&from=2019-01&to=2019-12&format=csv",
    )
    .await;
    assert_eq!(
        empty.body.trim(),
        "period,reporting,measure,breakdown,nationality,value,series,vintage"
    );
    // A country nothing is stored for is refused with a suggestion, not answered empty.
    let unknown = get_as(
        app,
        Some(Role::Admin),
        "/api/series/values?reporting=ZZZ&format=csv",
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.json()["parameter"], "reporting");
    assert_eq!(
        get_as(app, Some(Role::Admin), "/api/totals?format=xml")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}
on_both_backends!(tables_come_as_csv_too);

async fn national_officers_see_their_own_country(app: &TestApp) {
    let own = get_as(app, Some(Role::NationalOfficer), "/api/series")
        .await
        .json();
    assert_eq!(own["total"], 3);
    assert!(own["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["reporting"] == "PAN"));
    let other = get_as(
        app,
        Some(Role::NationalOfficer),
        "/api/totals?reporting=HND",
    )
    .await;
    assert_eq!(other.status, StatusCode::FORBIDDEN);
    assert_eq!(
        other.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(
        get_as(app, Some(Role::NationalOfficer), "/explorer?reporting=HND")
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    let explorer = get_as(app, Some(Role::NationalOfficer), "/explorer").await;
    assert!(
        explorer.body.contains("Panama"),
        "defaults to their own country"
    );
    assert!(
        !explorer.body.contains("value=\"HND\""),
        "other countries are not offered"
    );
}
on_both_backends!(national_officers_see_their_own_country);

async fn bearer_tokens_work_until_the_account_is_disabled(app: &TestApp) {
    let token = app
        .app
        .issue_api_token("watch_officer", "robot", &operator())
        .await
        .unwrap();
    let with = |t: &str| {
        Request::get("/api/totals")
            .header(header::AUTHORIZATION, format!("Bearer {t}"))
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(send(app, with(&token)).await.status, StatusCode::OK);
    assert_eq!(
        send(app, with("not-a-token")).await.status,
        StatusCode::UNAUTHORIZED
    );
    app.app
        .disable_user("watch_officer", &operator())
        .await
        .unwrap();
    assert_eq!(
        send(app, with(&token)).await.status,
        StatusCode::UNAUTHORIZED
    );
    let audit = audit(app).await;
    assert!(audit
        .iter()
        .any(|e| e.action == "user_disabled" && e.subject == "watch_officer"));
    assert!(audit.iter().any(|e| e.action == "api_token_issued"));
    assert_eq!(
        audit.iter().filter(|e| e.action == "user_added").count(),
        Role::ALL.len()
    );
}
on_both_backends!(bearer_tokens_work_until_the_account_is_disabled);

// ---------------------------------------------------------------- login

async fn login_request(app: &TestApp, user: &str, password: &str, ip: [u8; 4]) -> Request<Body> {
    let (cookie, token) = login_form(app).await;
    with_peer(
        Request::post("/login")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!(
                "username={user}&password={}&csrf={token}&next=%2Fexplorer",
                password.replace(' ', "+")
            )))
            .unwrap(),
        ip,
    )
}

async fn login_sets_a_safe_cookie_and_is_rate_limited(app: &TestApp) {
    // CSRF: a form without the matching cookie is refused, and so is a cookie the
    // server did not sign (planted by another site).
    let forged = send(
        app,
        Request::post("/login")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(
                "username=admin&password=a+long+enough+password&csrf=abc",
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let unsigned = send(
        app,
        Request::post("/login")
            .header(header::COOKIE, format!("{LOGIN_CSRF_COOKIE}=abc"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(
                "username=admin&password=a+long+enough+password&csrf=abc",
            ))
            .unwrap(),
    )
    .await;
    assert_eq!(
        unsigned.status,
        StatusCode::FORBIDDEN,
        "an unsigned double-submit cookie is refused"
    );

    let ok = send(
        app,
        login_request(app, "admin", "a long enough password", [10, 0, 0, 1]).await,
    )
    .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.headers[header::LOCATION], "/explorer");
    let set_cookie = ok
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with(SESSION_COOKIE))
        .expect("a session cookie");
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"),
        "{set_cookie}"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let page = send(
        app,
        Request::get("/explorer")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.headers[header::CACHE_CONTROL],
        "no-store",
        "authenticated pages are not cached"
    );

    for attempt in 1..=hemi_app::accounts::MAX_LOGIN_ATTEMPTS_PER_ACCOUNT - 1 {
        let wrong = send(
            app,
            login_request(app, "admin", "wrong password", [10, 0, 0, 2]).await,
        )
        .await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
    }
    // The limit counts every attempt on the account since the last success (the
    // successful login above cleared it): the fifth is evaluated, the sixth refused
    // even with the right password ...
    let fifth = send(
        app,
        login_request(app, "admin", "wrong password", [10, 0, 0, 2]).await,
    )
    .await;
    assert_eq!(fifth.status, StatusCode::UNAUTHORIZED);
    let throttled = send(
        app,
        login_request(app, "admin", "a long enough password", [10, 0, 0, 2]).await,
    )
    .await;
    assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(
        throttled.body.contains("Too many attempts"),
        "{}",
        throttled.body
    );
    // ... and from any address: the limit is the account's (it was per name and
    // address before, which let one guesser use many addresses).
    assert_eq!(
        send(
            app,
            login_request(app, "admin", "a long enough password", [10, 0, 0, 3]).await
        )
        .await
        .status,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Another account from the same address is not affected.
    assert_eq!(
        send(
            app,
            login_request(app, "secretariat", "a long enough password", [10, 0, 0, 2]).await
        )
        .await
        .status,
        StatusCode::SEE_OTHER
    );

    let audit = audit(app).await;
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "login_failed" && e.ip == "10.0.0.2")
            .count(),
        5
    );
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "login_throttled")
            .count(),
        1,
        "one entry when the limit is crossed"
    );
    assert_eq!(audit.iter().filter(|e| e.action == "login_ok").count(), 2);

    // Logout ends the session.
    let csrf_page = send(
        app,
        Request::get("/")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .body;
    let csrf = csrf_page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let out = send(
        app,
        Request::post("/logout")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}")))
            .unwrap(),
    )
    .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    let after = send(
        app,
        Request::get("/explorer")
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(after.status, StatusCode::FOUND);
}
on_both_backends!(login_sets_a_safe_cookie_and_is_rate_limited);

// ---------------------------------------------------------------- import

async fn upload(app: &TestApp, role: Role, file_name: &str, csv: &str) -> (Answer, String, String) {
    let (cookie, csrf) = session(app, role).await;
    let (content_type, body) = multipart(&[("csrf", None, &csrf), ("file", Some(file_name), csv)]);
    let answer = send(
        app,
        Request::post("/import")
            .header(header::COOKIE, &cookie)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap(),
    )
    .await;
    (answer, cookie, csrf)
}

async fn uploads_are_validated_previewed_then_committed(app: &TestApp) {
    let broken = "period,nationality,count\n2023-04,HTI,12\n2023-04,VEN,lots\n2023-13,CUB,3\n";
    let (bad, _, _) = upload(
        app,
        Role::NationalOfficer,
        "panama_darien_transits_by_nationality.csv",
        broken,
    )
    .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        bad.body
            .contains("panama_darien_transits_by_nationality.csv:3: count:"),
        "{}",
        bad.body
    );
    assert!(
        bad.body
            .contains("panama_darien_transits_by_nationality.csv:4: period:"),
        "{}",
        bad.body
    );

    let (foreign, _, _) = upload(
        app,
        Role::NationalOfficer,
        "honduras_irregular_entries_by_nationality.csv",
        HONDURAS_CSV,
    )
    .await;
    assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(foreign.body.contains("reported by HND"), "{}", foreign.body);

    let revised = "period,nationality,count\n2023-03,HTI,950\n2023-03,VEN,30\n2023-04,HTI,700\n";
    let (preview, cookie, csrf) = upload(
        app,
        Role::NationalOfficer,
        "panama_darien_transits_by_nationality.csv",
        revised,
    )
    .await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let report: String = preview
        .body
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(
        report.contains("<dt>New observations</dt><dd>1</dd>"),
        "{report}"
    );
    assert!(report.contains("<dt>Changed (revised) observations</dt><dd>1</dd>"));
    assert!(report.contains("<dt>Unchanged observations</dt><dd>1</dd>"));
    // Nothing is stored before the commit.
    let before = get_as(
        app,
        Some(Role::Admin),
        "/api/series/values?reporting=PAN&nationality=HTI&from=2023-03",
    )
    .await
    .json();
    assert_eq!(before["items"].as_array().unwrap().len(), 1);

    let upload_id = preview
        .body
        .split("name=\"upload\" value=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap()
        .to_owned();
    let commit = |csrf: String, cookie: String, id: String| {
        Request::post("/import/commit")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(format!("csrf={csrf}&upload={id}")))
            .unwrap()
    };
    // Another user cannot commit it, and a wrong CSRF token is refused.
    let (admin_cookie, admin_csrf) = session(app, Role::Admin).await;
    assert_eq!(
        send(app, commit(admin_csrf, admin_cookie, upload_id.clone()))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        send(
            app,
            commit("forged".into(), cookie.clone(), upload_id.clone())
        )
        .await
        .status,
        StatusCode::FORBIDDEN
    );
    let stored = send(app, commit(csrf.clone(), cookie.clone(), upload_id.clone())).await;
    assert_eq!(stored.status, StatusCode::OK, "{}", stored.body);
    assert!(stored.body.contains("as vintage 2"));
    assert_eq!(
        send(app, commit(csrf, cookie, upload_id)).await.status,
        StatusCode::NOT_FOUND,
        "a commit happens once"
    );

    let after = get_as(
        app,
        Some(Role::Admin),
        "/api/series/values?reporting=PAN&nationality=HTI&from=2023-03",
    )
    .await
    .json();
    let values: Vec<f64> = after["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["value"].as_f64().unwrap())
        .collect();
    assert_eq!(values, [950.0, 700.0]);
    let as_before = get_as(
        app,
        Some(Role::Admin),
        "/api/series/values?reporting=PAN&nationality=HTI&from=2023-03&vintage=1",
    )
    .await
    .json();
    assert_eq!(as_before["items"][0]["value"], 900.0);
    let audit = audit(app).await;
    assert!(audit
        .iter()
        .any(|e| e.action == "import" && e.detail.contains("vintage=2")));
    // The import is recorded under the officer's name, in the same transaction.
    assert!(audit
        .iter()
        .any(|e| e.action == "import" && e.actor == "national_officer"));
}
on_both_backends!(uploads_are_validated_previewed_then_committed);

// ---------------------------------------------------------------- pages and plumbing

async fn the_portal_protects_small_counts(app: &TestApp) {
    let portal = get_as(app, None, "/portal?reporting=PAN&year=2023").await;
    assert_eq!(portal.status, StatusCode::OK);
    // Cell-key perturbation: no suppression marks, the rule printed under the table.
    assert!(!portal.body.contains("[c]"));
    assert!(
        portal.body.contains("Counts are protected"),
        "{}",
        portal.body
    );
    let table = get_as(app, None, "/api/portal?reporting=PAN&year=2023").await;
    assert_eq!(table.status, StatusCode::OK, "{}", table.body);
    let t = table.json();
    assert_eq!(t["disclosure"]["method"], "cell-key");
    // Months the source covers (January to March), not the months someone was counted in.
    assert_eq!(
        t["months"],
        serde_json::json!(["2023-01", "2023-02", "2023-03"])
    );
    let rows = t["rows"].as_array().unwrap();
    let blocked = t["disclosure"]["blocked_up_to_people"].as_u64().unwrap();
    let mut month_totals = vec![0u64; 3];
    for r in rows {
        let cells: Vec<u64> = r["months"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        // Small counts are never shown as such: 1 and 2 are not published.
        assert!(cells.iter().all(|c| *c == 0 || *c > blocked), "{r}");
        assert_eq!(
            r["total"].as_u64().unwrap(),
            cells.iter().sum::<u64>(),
            "totals are sums of published cells"
        );
        for (m, c) in cells.iter().enumerate() {
            month_totals[m] += c;
        }
    }
    let published: Vec<u64> = t["month_totals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert_eq!(published, month_totals);
    // Large counts move by at most the published noise.
    let hti = rows.iter().find(|r| r["nationality"] == "HTI").unwrap();
    let noise = t["disclosure"]["max_noise_people"].as_i64().unwrap();
    assert!((hti["months"][0].as_i64().unwrap() - 1200).abs() <= noise);
    // The same question answers the same (consistent noise, cached per data version).
    assert_eq!(
        get_as(app, None, "/api/portal?reporting=PAN&year=2023")
            .await
            .body,
        table.body
    );
    let csv = get_as(app, None, "/api/portal?reporting=PAN&year=2023&format=csv").await;
    assert!(
        csv.body.starts_with("nationality,month,count\n"),
        "{}",
        csv.body
    );
    let bad = get_as(app, None, "/api/portal?reporting=XYZ").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
}
on_both_backends!(the_portal_protects_small_counts);
on_both_backends!(every_public_table_survives_the_attackers_audit);

async fn plumbing_answers(app: &TestApp) {
    assert_eq!(get_as(app, None, "/healthz").await.body, "ok");
    assert_eq!(get_as(app, None, "/readyz").await.status, StatusCode::OK);
    let doc = get_as(app, None, "/api/openapi.json").await.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/api/series",
        "/api/series/values",
        "/api/totals",
        "/api/indicators",
        "/api/portal",
        "/api/events",
        "/api/events/{id}",
    ] {
        assert!(doc["paths"][path]["get"].is_object(), "{path} documented");
    }
    // Public: no security requirement on the indicators.
    assert_eq!(
        doc["paths"]["/api/indicators"]["get"]["security"],
        serde_json::json!([{}])
    );
    assert!(doc["components"]["schemas"]["IndicatorsPage"].is_object());
    assert!(doc["components"]["schemas"]["Problem"].is_object());

    let missing = get_as(app, None, "/api/nothing").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.headers[header::CONTENT_TYPE],
        "application/problem+json"
    );
    assert_eq!(
        get_as(app, None, "/nothing").await.status,
        StatusCode::NOT_FOUND
    );

    let home = get_as(app, None, "/").await;
    assert!(home.headers.contains_key("x-request-id"));
    // Every slot the navigation once reserved is now a page: the public sees the L.A. Process.
    assert!(!home.body.contains("data-reserved"));
    assert!(
        home.body.contains("<a href=\"/governance\""),
        "nav links the L.A. Process page"
    );
    let watcher_home = get_as(app, Some(Role::WatchOfficer), "/").await.body;
    assert!(
        watcher_home.contains("<a href=\"/watch\""),
        "nav links the watch board"
    );
    let css_path = home
        .body
        .split("href=\"/static/")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    let css = get_as(app, None, &format!("/static/{css_path}")).await;
    assert_eq!(
        css.headers[header::CACHE_CONTROL],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(
        get_as(app, None, "/static/app.old.css").await.status,
        StatusCode::NOT_FOUND
    );

    let gzipped = send(
        app,
        Request::get("/portal")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(gzipped.headers[header::CONTENT_ENCODING], "gzip");
    let explorer = get_as(
        app,
        Some(Role::PathwaysOfficer),
        "/explorer?reporting=PAN&nationality=HTI",
    )
    .await;
    assert!(explorer.body.contains("<svg") && explorer.body.contains("<polyline"));
    assert!(explorer.body.contains("Vintage 1"));
}
on_both_backends!(plumbing_answers);

// ---------------------------------------------------------------- early warning

/// The four watched flow tables, Mexico's returns and the UN DESA stocks, in one import
/// (the detectors are CPU-heavy: one store per backend, every check on it).
async fn import_watched_tables(app: &App) {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
    let files: Vec<hemi_app::flows::ImportFile> = [
        "flows/panama_darien_transits_by_nationality.csv",
        "flows/honduras_irregular_entries_by_nationality.csv",
        "flows/mexico_irregular_presented_by_nationality.csv",
        "flows/usa_southwest_border_encounters.csv",
        "flows/mexico_returns_by_nationality.csv",
        "context/undesa_international_migrant_stocks.csv",
    ]
    .iter()
    .map(|f| hemi_app::flows::ImportFile::Path(format!("{data}/{f}").into()))
    .collect();
    app.import(
        &files,
        hemi_app::flows::ImportOptions::default(),
        std::sync::Arc::new(hemi_app::progress::NoProgress),
        &operator(),
    )
    .await
    .unwrap();
}

fn status_form(csrf: &str, status: &str, reason: &str) -> Body {
    Body::from(format!(
        "csrf={csrf}&as_of=2021-09&status={status}&reason={}",
        reason.replace(' ', "+")
    ))
}

async fn post_status(app: &TestApp, role: Role, status: &str, reason: &str) -> Answer {
    let (cookie, csrf) = session(app, role).await;
    send(
        app,
        Request::post("/events/HTI-2021-01/status")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(status_form(&csrf, status, reason))
            .unwrap(),
    )
    .await
}

async fn watch_board_and_event_pages(app: &TestApp) {
    import_watched_tables(&app.app).await;

    // The board as of 2021-09 lists the Haitian event, linked, with a sparkline.
    let board = get_as(app, Some(Role::Secretariat), "/watch?as_of=2021-09").await;
    assert_eq!(board.status, StatusCode::OK, "{}", board.body);
    assert!(
        board
            .body
            .contains("href=\"/events/HTI-2021-01?as_of=2021-09\""),
        "{}",
        board.body
    );
    assert!(board.body.contains("class=\"sparkline\"") || board.body.contains("sparkline"));
    assert!(board.body.contains("status-detected"));
    // The map colours the event's alerting countries at "alert" and names the level.
    assert!(board
        .body
        .contains("Map of the Americas by early-warning level"));
    let api = get_as(app, Some(Role::WatchOfficer), "/api/events?as_of=2021-09").await;
    assert_eq!(api.status, StatusCode::OK, "{}", api.body);
    let api = api.json();
    assert_eq!(api["as_of"], "2021-09");
    let hti = api["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "HTI-2021-01")
        .expect("HTI-2021-01 on the board");
    assert_eq!(hti["status"], "detected");
    assert_eq!(hti["age_months"], 8);
    assert_eq!(hti["sparkline"].as_array().unwrap().len(), 24);
    // On the map, every alerting country of a detected event is at watch (alerted
    // earlier) or alert (alerting in the last 3 months); the US alerts in 2021-09.
    let fill_of = |country: &str| {
        let path = format!("data-iso3=\"{country}\" fill=\"");
        board.body[board.body.find(&path).unwrap() + path.len()..][..7].to_owned()
    };
    for country in hti["countries"].as_array().unwrap() {
        let fill = fill_of(country.as_str().unwrap());
        assert!(
            ["#56b4e9", "#e69f00"].contains(&fill.as_str()),
            "{country}: {fill}"
        );
    }
    assert_eq!(fill_of("USA"), "#e69f00");
    assert_eq!(
        fill_of("BRA"),
        "#e4e8ed",
        "Brazil reports no flows: no level"
    );
    let csv = get_as(
        app,
        Some(Role::Admin),
        "/api/events?as_of=2021-09&format=csv",
    )
    .await;
    assert!(
        csv.body.starts_with(
            "id,nationality,status,first_alert,last_alert,age_months,alert_count,countries\n"
        ),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("\nHTI-2021-01,HTI,detected,2021-01,"));
    assert_eq!(
        get_as(app, Some(Role::Secretariat), "/api/events?as_of=2021-13")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // The event page: alerts, roles with Brazil sending, corridor chart, no form for the secretariat.
    let page = get_as(
        app,
        Some(Role::Secretariat),
        "/events/HTI-2021-01?as_of=2021-09",
    )
    .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let roles = page.body.split("Country roles").nth(1).unwrap();
    let brazil = roles
        .split("<tr>")
        .find(|row| row.contains("(BRA)"))
        .unwrap_or_else(|| panic!("BRA has a role: {roles}"));
    assert!(brazil.contains("role-sending"), "{brazil}");
    assert!(page.body.contains("<polyline"), "corridor chart");
    assert!(page.body.contains("upstream") && page.body.contains("downstream"));
    assert!(
        !page.body.contains("action=\"/events/HTI-2021-01/status\""),
        "no form for the secretariat"
    );
    let detail = get_as(
        app,
        Some(Role::Secretariat),
        "/api/events/HTI-2021-01?as_of=2021-09",
    )
    .await
    .json();
    assert!(detail["roles"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["country"] == "BRA" && r["role"] == "sending"));
    assert_eq!(
        detail["next_statuses"],
        serde_json::json!(["confirmed", "dismissed"])
    );

    // The secretariat may not decide; a watch officer confirms with a reason.
    let refused = post_status(app, Role::Secretariat, "confirmed", "looks real").await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let officer_page = get_as(
        app,
        Some(Role::WatchOfficer),
        "/events/HTI-2021-01?as_of=2021-09",
    )
    .await;
    assert!(officer_page
        .body
        .contains("action=\"/events/HTI-2021-01/status\""));
    let no_reason = post_status(app, Role::WatchOfficer, "confirmed", " ").await;
    assert_eq!(no_reason.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        no_reason.body.contains("say why the event moves"),
        "{}",
        no_reason.body
    );
    let confirmed = post_status(
        app,
        Role::WatchOfficer,
        "confirmed",
        "CBP release confirms the rise",
    )
    .await;
    assert_eq!(
        confirmed.status,
        StatusCode::SEE_OTHER,
        "{}",
        confirmed.body
    );
    assert_eq!(
        confirmed.headers[header::LOCATION],
        "/events/HTI-2021-01?as_of=2021-09"
    );
    let history = app
        .store
        .event_transitions(Some("HTI-2021-01"))
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(
        (
            history[0].from_status.as_str(),
            history[0].to_status.as_str(),
            history[0].changed_by.as_str()
        ),
        ("detected", "confirmed", "watch_officer")
    );
    assert_eq!(history[0].reason, "CBP release confirms the rise");
    let after = get_as(
        app,
        Some(Role::WatchOfficer),
        "/events/HTI-2021-01?as_of=2021-09",
    )
    .await;
    assert!(
        after.body.contains("status-confirmed")
            && after.body.contains("CBP release confirms the rise")
    );

    // An illegal move (confirmed -> closed) is refused with the lifecycle's message.
    let illegal = post_status(app, Role::WatchOfficer, "closed", "over").await;
    assert_eq!(illegal.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        illegal
            .body
            .contains("an event cannot go from confirmed to closed"),
        "{}",
        illegal.body
    );
    assert_eq!(
        app.store
            .event_transitions(Some("HTI-2021-01"))
            .await
            .unwrap()
            .len(),
        1
    );
    // A bad CSRF token changes nothing.
    let (cookie, _) = session(app, Role::Admin).await;
    let forged = send(
        app,
        Request::post("/events/HTI-2021-01/status")
            .header(header::COOKIE, cookie)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(status_form("forged", "response", "x"))
            .unwrap(),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.store
            .event_transitions(Some("HTI-2021-01"))
            .await
            .unwrap()
            .len(),
        1
    );
}
on_both_backends!(watch_board_and_event_pages);

// ---------------------------------------------------------------- burden sharing

/// UN DESA 2024 stocks of people born in Venezuela and World Bank population and GDP
/// for 2023, cut from the bundled tables.
async fn import_indicator_tables(app: &App) {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data");
    let cut = |file: &str, keep: &dyn Fn(&[&str]) -> bool| {
        let text = std::fs::read_to_string(format!("{data}/{file}")).unwrap();
        let mut lines = text.lines();
        let mut out = format!("{}\n", lines.next().unwrap());
        for line in lines {
            if keep(&line.split(',').collect::<Vec<_>>()) {
                out += line;
                out.push('\n');
            }
        }
        out
    };
    let stocks = cut("context/undesa_international_migrant_stocks.csv", &|f| {
        f[1] == "2024" && f[2] == "VEN"
    });
    let wdi = cut("context/world_bank_indicators.csv", &|f| {
        (f[1] == "pop" || f[1] == "gdp") && f[2] == "2023"
    });
    import_fixture(
        app,
        "undesa_migrant_stocks",
        "undesa_international_migrant_stocks.csv",
        &stocks,
    )
    .await;
    import_fixture(
        app,
        "world_bank_indicators",
        "world_bank_indicators.csv",
        &wdi,
    )
    .await;
}

async fn indicators_are_public_ranked_and_sourced(app: &TestApp) {
    // Before the context tables are imported: an empty answer, not an error.
    let empty = get_as(app, None, "/api/indicators").await;
    assert_eq!(empty.status, StatusCode::OK, "{}", empty.body);
    assert_eq!(empty.json()["year"], serde_json::Value::Null);

    import_indicator_tables(&app.app).await;
    // A bad origin met inside the cached public computation is still the caller's error
    // (schemathesis found it answered 500), with a suggestion.
    let bad = get_as(app, None, "/api/indicators?origin=hJd&year=1910").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", bad.body);
    assert!(bad.body.contains("origin"), "{}", bad.body);
    let answer = get_as(app, None, "/api/indicators?origin=ven").await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let page = answer.json();
    assert_eq!(
        (page["measure"].as_str(), page["year"].as_i64()),
        (Some("undesa"), Some(2024))
    );
    assert_eq!(page["origin"], "VEN");
    assert!(page["source"].as_str().unwrap().contains("UN DESA"));
    assert!(page["denominators_source"]
        .as_str()
        .unwrap()
        .contains("World Bank"));
    let items = page["items"].as_array().unwrap();
    let col = items.iter().find(|i| i["host"] == "COL").unwrap();
    // UN DESA International Migrant Stock 2024: 2,904,873 people born in Venezuela in
    // Colombia; World Bank table: 52,321,152 inhabitants in 2023. Published after
    // cell-key perturbation: within the published maximum noise.
    let noise = page["disclosure"]["max_noise_people"].as_f64().unwrap();
    assert!(
        (col["hosted"].as_f64().unwrap() - 2_904_873.0).abs() <= noise,
        "{col}"
    );
    assert_eq!(col["population_year"], 2023);
    assert!((col["per_1000"].as_f64().unwrap() - 55.52).abs() < 0.01);
    // Ranked by per 1,000: Aruba and Curaçao before Colombia; Spain is not in the Americas.
    let rank = |host: &str| {
        items.iter().find(|i| i["host"] == host).unwrap()["rank"]
            .as_i64()
            .unwrap()
    };
    assert!(rank("ABW") < rank("COL") && rank("CUW") < rank("COL"));
    assert!(items.iter().all(|i| i["host"] != "ESP"));
    // Strict years: 2024 counts have no 2024 population, so no ratio and no rank, never 0.
    let strict = get_as(app, None, "/api/indicators?origin=VEN&max_lag_years=0")
        .await
        .json();
    assert!(strict["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["per_1000"].is_null() && i["rank"].is_null()));

    let csv = get_as(app, None, "/api/indicators?origin=VEN&format=csv").await;
    assert_eq!(csv.headers[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert!(
        csv.body
            .starts_with("rank,host,name,year,measure,origin,hosted,"),
        "{}",
        &csv.body[..200]
    );
    assert!(
        csv.body.contains(",COL,Colombia,2024,undesa,VEN,29048"),
        "{}",
        csv.body
    );

    let bad = get_as(app, None, "/api/indicators?measure=iom").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("measure"));

    let html = get_as(app, None, "/indicators?origin=VEN").await;
    assert_eq!(html.status, StatusCode::OK);
    assert!(
        html.body
            .contains("People born in Bolivarian Republic of Venezuela"),
        "heading names the origin"
    );
    assert!(
        html.body.contains("<rect") && html.body.contains(">Colombia<"),
        "bar chart"
    );
    assert!(html.body.contains("data-iso3=\"COL\""), "map");
    assert!(
        html.body.contains("World Bank"),
        "denominator source on the page"
    );
    assert!(
        html.body.contains("<a href=\"/indicators\""),
        "in the navigation"
    );
    let unhcr = get_as(app, None, "/indicators?measure=unhcr").await;
    assert!(unhcr
        .body
        .contains("other people in need of international protection"));
}
on_both_backends!(indicators_are_public_ranked_and_sourced);
