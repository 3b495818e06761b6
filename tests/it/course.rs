//! The bundled course as a reader meets it: every lesson imports, the lessons carry figures
//! (with alt text, a size and a working SVG URL) and formulas, lessons 1 and 2 ask a
//! token-count question, the glossary is substantial, no quiz explanation points at a choice
//! by letter, and lesson 1's "Where to go next" links every later lesson.

use serde_json::{json, Value};

use crate::common;
use common::admin::{admin_token, call, ADMIN_EMAIL};
use common::{spawn, Backend};
use lectern::db::Db;
use lectern::plans::Plan;
use lectern::tokenizer::{count, Encoding};
use reqwest::Method;

const COURSE: &str = "ai-foundations";

/// The value of `name="…"` in one HTML tag, if it is there.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    let end = tag[start..].find('"')? + start;
    Some(&tag[start..end])
}

/// Every `<img …>` tag of an HTML fragment.
fn img_tags(html: &str) -> Vec<&str> {
    html.match_indices("<img")
        .map(|(at, _)| &html[at..at + html[at..].find('>').expect("a closed tag") + 1])
        .collect()
}

/// The course's lessons in order, as the public catalog lists them.
async fn lesson_slugs(app: &common::TestApp) -> Vec<String> {
    let (status, courses) = app.get_json("/api/v1/courses").await;
    assert_eq!(status, 200);
    let course = courses["courses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["slug"] == COURSE)
        .expect("the bundled course is listed");
    course["lessons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["slug"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_bundled_course_is_whole_illustrated_and_checked() {
    let app = spawn(Backend::Sqlite).await;
    let token = admin_token(&app).await;
    // On the Pro plan the admin reads whole lessons, locked ones included.
    let db = Db::connect(&app.settings).await.unwrap();
    lectern::accounts::set_plan(&db, ADMIN_EMAIL, Plan::Pro)
        .await
        .unwrap();
    db.close().await;

    // Every lesson file of the course folder imported as a lesson.
    let files = std::fs::read_dir(common::bundled_content().join(COURSE))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".md") && name != "glossary.md")
        .count();
    let slugs = lesson_slugs(&app).await;
    assert_eq!(slugs.len(), files, "every lesson file imports: {slugs:?}");
    assert!(slugs.len() >= 8, "{slugs:?}");

    let mut lessons = Vec::new();
    for slug in &slugs {
        let (status, lesson) = common::send(call(
            &app,
            Method::GET,
            &format!("/api/v1/lessons/{slug}"),
            Some(&token),
        ))
        .await;
        assert_eq!(status, 200, "{slug}");
        assert_eq!(lesson["locked"], false, "{slug}: a Pro reader sees it all");
        lessons.push(lesson);
    }

    // Figures: enough of them, each described, sized and served as SVG (or another image).
    let mut figures = 0;
    for lesson in &lessons {
        let slug = lesson["slug"].as_str().unwrap();
        for tag in img_tags(lesson["html"].as_str().unwrap()) {
            let src = attribute(tag, "src").unwrap_or_default();
            if !src.starts_with("/figures/") {
                continue;
            }
            figures += 1;
            let alt = attribute(tag, "alt").unwrap_or_default();
            assert!(alt.trim().len() >= 10, "{slug}: {tag} says what it shows");
            for size in ["width", "height"] {
                let value: u32 = attribute(tag, size)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or_else(|| panic!("{slug}: {tag} has a numeric {size}"));
                assert!(value > 0, "{slug}: {tag}");
            }
            let response = app.get(src).await;
            assert_eq!(response.status(), 200, "{slug}: {src}");
            let kind = response.headers()["content-type"]
                .to_str()
                .unwrap()
                .to_owned();
            if src.ends_with(".svg") {
                assert_eq!(kind, "image/svg+xml", "{slug}: {src}");
            } else {
                assert!(kind.starts_with("image/"), "{slug}: {src} is {kind}");
            }
        }
    }
    assert!(
        figures >= 6,
        "the course has at least six figures, found {figures}"
    );

    // Formulas, rendered as MathML.
    let formulas: usize = lessons
        .iter()
        .map(|l| l["html"].as_str().unwrap().matches("<math").count())
        .sum();
    assert!(formulas >= 6, "at least six formulas, found {formulas}");

    // Lessons 1 and 2 each ask a token-count question whose key is the tokenizer's count.
    for lesson in &lessons[..2] {
        let slug = lesson["slug"].as_str().unwrap();
        let question = lesson["quiz"]["questions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["kind"] == "token_count")
            .unwrap_or_else(|| panic!("{slug} has a token_count question"))
            .clone();
        let encoding = Encoding::parse(question["encoding"].as_str().unwrap()).unwrap();
        let expected = count(encoding, question["text"].as_str().unwrap());
        let id = question["id"].as_str().unwrap();
        let (status, attempt) = common::send(
            call(
                &app,
                Method::POST,
                &format!("/api/v1/lessons/{slug}/quiz/attempts"),
                Some(&token),
            )
            .json(&json!({"answers": {id: expected}})),
        )
        .await;
        assert_eq!(status, 201, "{slug}: {attempt}");
        let result = attempt["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["question_id"] == id)
            .unwrap();
        assert_eq!(result["correct"], true, "{slug}: the key is {expected}");
    }

    // No explanation refers to a choice by its letter: choices may be shuffled.
    for lesson in &lessons {
        let slug = lesson["slug"].as_str().unwrap();
        let Some(questions) = lesson["quiz"]["questions"].as_array() else {
            continue;
        };
        let answers: serde_json::Map<String, Value> = questions
            .iter()
            .map(|q| {
                let answer = if q["choices"].as_array().unwrap().is_empty() {
                    json!(0)
                } else {
                    json!([0])
                };
                (q["id"].as_str().unwrap().to_owned(), answer)
            })
            .collect();
        let (status, attempt) = common::send(
            call(
                &app,
                Method::POST,
                &format!("/api/v1/lessons/{slug}/quiz/attempts"),
                Some(&token),
            )
            .json(&json!({ "answers": answers })),
        )
        .await;
        assert_eq!(status, 201, "{slug}: {attempt}");
        for result in attempt["results"].as_array().unwrap() {
            let explanation = result["explanation"].as_str().unwrap_or_default();
            assert!(!explanation.is_empty(), "{slug}: {result}");
            let lower = explanation.to_lowercase();
            for letter in ['a', 'b', 'c', 'd'] {
                for (text, phrase) in [
                    (lower.as_str(), format!("option {letter}")),
                    (
                        explanation,
                        format!("choice {}", letter.to_ascii_uppercase()),
                    ),
                    (
                        explanation,
                        format!("answer {}", letter.to_ascii_uppercase()),
                    ),
                ] {
                    let found = text.match_indices(&phrase).any(|(at, _)| {
                        !text[at + phrase.len()..]
                            .chars()
                            .next()
                            .is_some_and(char::is_alphanumeric)
                    });
                    assert!(!found, "{slug}: {} says {phrase:?}", result["question_id"]);
                }
            }
        }
    }

    // The glossary has at least twenty terms.
    let (status, glossary) = app.get_text(&format!("/courses/{COURSE}/glossary")).await;
    assert_eq!(status, 200);
    let terms = glossary.matches("<dt id=\"").count();
    assert!(terms >= 20, "at least 20 glossary terms, found {terms}");

    // Lesson 1's "Where to go next" names every later lesson.
    let first = lessons[0]["html"].as_str().unwrap();
    let start = first
        .find("id=\"where-to-go-next\"")
        .expect("lesson 1 has a \"Where to go next\" section");
    let section = &first[start..];
    let section = &section[..section[1..]
        .find("<h2")
        .map_or(section.len(), |end| end + 1)];
    for lesson in &lessons[1..] {
        let title = lesson["title"].as_str().unwrap();
        let slug = lesson["slug"].as_str().unwrap();
        let linked = section.contains(&format!("href=\"/lessons/{slug}\""));
        assert!(
            linked,
            "lesson 1's \"Where to go next\" links {title} (/lessons/{slug}): {section}"
        );
    }
}
