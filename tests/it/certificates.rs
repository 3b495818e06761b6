//! Certificates of completion from outside: the Pro gate, the completion check, issuing
//! once, the public verification (JSON, page, PDF) and surviving account deletion.

use crate::common;

use common::{bearer, pdf, send, spawn, Backend, TestApp, TEST_PASSWORD};
use lectern::db::Db;
use lectern::plans::Plan;
use serde_json::{json, Value};

on_both_backends!(
    pro_learners_earn_one_verifiable_certificate,
    other_plans_and_strangers_are_turned_away,
);

const COURSE: &str = "ai-foundations";

/// Every lesson of the bundled course with the right answers to its quiz, if it has one.
fn bundled_lessons() -> Vec<(String, Option<Value>)> {
    let dir = common::bundled_content().join(COURSE);
    let mut lessons: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        // The glossary is a page of the course, not a lesson: no certificate asks for it.
        .filter(|p| !p.ends_with("glossary.md"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let source = lectern::content::source::parse(&text, None).unwrap();
            let answers = source.quiz.map(|quiz| {
                let map: serde_json::Map<String, Value> = quiz
                    .questions
                    .iter()
                    .map(|q| (q.id.clone(), crate::common::right_answer(q)))
                    .collect();
                Value::Object(map)
            });
            (source.position, String::from(source.slug), answers)
        })
        .collect();
    lessons.sort_by_key(|(position, slug, _)| (*position, slug.clone()));
    lessons.into_iter().map(|(_, s, a)| (s, a)).collect()
}

async fn claim(app: &TestApp, token: &str) -> (u16, Value) {
    send(bearer(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/courses/{COURSE}/certificate"),
        token,
    ))
    .await
}

async fn user_on(app: &TestApp, email: &str, plan: Plan) -> String {
    let (token, _) = app.sign_up(email).await;
    let db = Db::connect(&app.settings).await.unwrap();
    lectern::accounts::set_plan(&db, email, plan).await.unwrap();
    db.close().await;
    token
}

async fn pro_learners_earn_one_verifiable_certificate(backend: Backend) {
    let app = spawn(backend).await;
    let token = user_on(&app, "pro@example.com", Plan::Pro).await;
    let lessons = bundled_lessons();
    assert!(lessons.len() > 1 && lessons.iter().any(|(_, a)| a.is_some()));

    let (status, body) = claim(&app, &token).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["code"], "course_incomplete");
    let all: Vec<Value> = lessons.iter().map(|(s, _)| json!(s)).collect();
    assert_eq!(body["error"]["missing"], json!(all));

    // Complete every lesson; a quiz not yet passed keeps its lesson missing.
    for (slug, _) in &lessons {
        let (status, body) = send(
            bearer(
                &app,
                reqwest::Method::PUT,
                &format!("/api/v1/lessons/{slug}/progress"),
                &token,
            )
            .json(&json!({"percent": 100, "completed": true})),
        )
        .await;
        assert_eq!(status, 200, "{slug}: {body}");
    }
    let (status, body) = claim(&app, &token).await;
    assert_eq!(status, 409, "{body}");
    let with_quiz: Vec<Value> = lessons
        .iter()
        .filter(|(_, a)| a.is_some())
        .map(|(s, _)| json!(s))
        .collect();
    assert_eq!(body["error"]["missing"], json!(with_quiz));
    for (slug, answers) in &lessons {
        let Some(answers) = answers else { continue };
        let (status, body) = send(
            bearer(
                &app,
                reqwest::Method::POST,
                &format!("/api/v1/lessons/{slug}/quiz/attempts"),
                &token,
            )
            .json(&json!({ "answers": answers })),
        )
        .await;
        assert!(status == 200 || status == 201, "{slug}: {status} {body}");
    }

    let (status, cert) = claim(&app, &token).await;
    assert_eq!(status, 201, "{cert}");
    let id = cert["id"].as_str().unwrap().to_owned();
    assert!(
        id.len() >= 32 && id.chars().all(|c| c.is_ascii_hexdigit()),
        "{id}"
    );
    assert_eq!(cert["course"], COURSE);
    assert_eq!(cert["holder_name"], "Test Reader");
    assert!(cert["course_title"]
        .as_str()
        .unwrap()
        .starts_with("AI Foundations"));
    assert_eq!(cert["verify_url"], app.url(&format!("/certificates/{id}")));
    assert_eq!(cert["pdf_url"], format!("/api/v1/certificates/{id}/pdf"));
    assert!(!cert["issued_at"].is_null());
    let (status, again) = claim(&app, &token).await;
    assert_eq!((status, &again), (200, &cert));

    let (status, mine) = send(bearer(
        &app,
        reqwest::Method::GET,
        "/api/v1/me/certificates",
        &token,
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(mine["certificates"], json!([cert.clone()]));

    let (status, public) = app.get_json(&format!("/api/v1/certificates/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(public["valid"], true);
    assert_eq!(public["holder_name"], "Test Reader");
    assert_eq!(public["id"], id.as_str());
    assert!(!public.to_string().contains("pro@example.com"), "{public}");
    let (status, _) = app.get_json("/api/v1/certificates/0123456789abcdef").await;
    assert_eq!(status, 404);

    let (status, page) = app.get_text(&format!("/certificates/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Test Reader") && page.contains(&id) && page.contains("Valid"));
    assert!(!page.contains("pro@example.com"));
    let (status, _) = app.get_text("/certificates/nope").await;
    assert_eq!(status, 404);

    let response = app.get(&format!("/api/v1/certificates/{id}/pdf")).await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "application/pdf");
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let pdf = response.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    pdf::assert_fonts_embedded(&pdf);
    if let Some(text) = pdf::text(&pdf) {
        let verify_url = cert["verify_url"].as_str().unwrap();
        let course_title = cert["course_title"].as_str().unwrap();
        let issued_on = &cert["issued_at"].as_str().unwrap()[..10];
        for field in ["Test Reader", &id, verify_url, course_title, issued_on] {
            assert!(text.contains(field), "{field:?} in {text}");
        }
        assert_eq!(text.matches('\u{c}').count(), 1, "one page");
    }
    // Its QR code, printed and scanned, opens the verify page.
    if let Some(codes) = pdf::qr_codes(&pdf) {
        assert_eq!(codes, [cert["verify_url"].as_str().unwrap()]);
    }
    // Made once: asked again, the same bytes under the same ETag, and a 304 when held.
    let again = app.get(&format!("/api/v1/certificates/{id}/pdf")).await;
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(again.bytes().await.unwrap(), pdf);
    let held = reqwest::Client::new()
        .get(app.url(&format!("/api/v1/certificates/{id}/pdf")))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(held.status(), 304);

    // The account page lists it; the export carries it.
    let (_, export) = send(bearer(
        &app,
        reqwest::Method::GET,
        "/api/v1/me/export",
        &token,
    ))
    .await;
    assert_eq!(export["certificates"][0]["id"], id.as_str());

    // Deleting the account keeps the certificate verifiable.
    let (status, _) = send(
        bearer(&app, reqwest::Method::DELETE, "/api/v1/me", &token)
            .json(&json!({ "password": TEST_PASSWORD })),
    )
    .await;
    assert_eq!(status, 204);
    let (status, public) = app.get_json(&format!("/api/v1/certificates/{id}")).await;
    assert_eq!(
        (status, &public["holder_name"]),
        (200, &json!("Test Reader"))
    );
    assert_eq!(public["valid"], true);
    let (status, _) = app.get_text(&format!("/certificates/{id}")).await;
    assert_eq!(status, 200);
}

async fn other_plans_and_strangers_are_turned_away(backend: Backend) {
    let app = spawn(backend).await;
    for (email, plan) in [
        ("free@example.com", Plan::Free),
        ("plus@example.com", Plan::Plus),
    ] {
        let token = user_on(&app, email, plan).await;
        let (status, body) = claim(&app, &token).await;
        assert_eq!(status, 403, "{plan:?}: {body}");
        assert_eq!(body["error"]["code"], "plan_required");
        assert_eq!(body["error"]["required_plan"], "pro");
    }
    let (status, body) = send(
        reqwest::Client::new().post(app.url(&format!("/api/v1/courses/{COURSE}/certificate"))),
    )
    .await;
    assert_eq!(status, 401, "{body}");
    let (status, _) = send(reqwest::Client::new().get(app.url("/api/v1/me/certificates"))).await;
    assert_eq!(status, 401);

    // The account page offers the claim to Pro only; the others see the upgrade note.
    let page = app.get_text("/account").await.1;
    assert!(
        page.contains("Certificates") && page.contains("Upgrade to Pro"),
        "{page}"
    );
    let token = user_on(&app, "pro2@example.com", Plan::Pro).await;
    let _ = token;
    let page = app.get_text("/account").await.1;
    assert!(page.contains("Claim certificate"), "{page}");
    // Claiming an incomplete course from the page names the missing lessons.
    let csrf = page
        .split("name=\"csrf_token\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_owned();
    let response = app
        .post("/account/certificates")
        .form(&[("csrf_token", csrf.as_str()), ("course", COURSE)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 409);
    let page = response.text().await.unwrap();
    assert!(
        page.contains("/lessons/") && page.contains("Still to do"),
        "{page}"
    );
}
