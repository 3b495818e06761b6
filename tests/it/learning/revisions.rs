//! A quiz attempt keeps the revision it was scored against, through the library: an edit of
//! the answer key changes the next score, not the stored ones.

use std::collections::BTreeMap;

use lectern::catalog::Catalog;
use lectern::db::Db;
use lectern::import::import_dir;

use crate::common::{test_settings, Backend};

on_both_backends!(attempts_keep_the_revision_they_were_scored_against);

async fn attempts_keep_the_revision_they_were_scored_against(backend: Backend) {
    let content = tempfile::tempdir().unwrap();
    let course = content.path().join("demo");
    std::fs::create_dir_all(&course).unwrap();
    std::fs::write(
        course.join("course.toml"),
        "title = \"Demo\"\nsummary = \"Demo.\"\n",
    )
    .unwrap();
    let lesson = |answer: &str, explanation: &str| {
        format!(
            "+++\ntitle = \"Edited\"\nslug = \"edited\"\nsummary = \"S.\"\ncourse = \"demo\"\nposition = 1\n\
             access = \"free\"\nupdated = 2026-05-01\n\n[quiz]\npass_percent = 50\n\n[[quiz.questions]]\n\
             id = \"q1\"\nprompt = \"Pick\"\nchoices = [\"a\", \"b\", \"c\"]\nanswer = [{answer}]\n\
             explanation = \"{explanation}\"\n+++\nBody.\n"
        )
    };
    std::fs::write(course.join("edited.md"), lesson("1", "First key: b.")).unwrap();
    let (settings, _data) = test_settings(backend, content.path()).await;
    let db = Db::connect(&settings).await.unwrap();
    import_dir(&db, content.path()).await.unwrap();
    let catalog = Catalog::load(&db).await.unwrap();
    let mut tx = db.begin_write().await.unwrap();
    let user = lectern::db::users::insert(
        &mut tx,
        "edit@example.com",
        "Ed",
        "x",
        lectern::db::users::Role::Learner,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let answers: BTreeMap<String, serde_json::Value> =
        [("q1".to_owned(), serde_json::json!([1]))].into();

    let snapshot = catalog.snapshot();
    let v1 = snapshot.lesson("edited").unwrap();
    let first = lectern::learning::attempt_quiz(&db, &user, v1, &answers)
        .await
        .unwrap();
    assert!(first.scored.passed);

    std::fs::write(course.join("edited.md"), lesson("2", "Second key: c.")).unwrap();
    import_dir(&db, content.path()).await.unwrap();
    let snapshot = catalog.reload(&db).await.unwrap();
    let v2 = snapshot.lesson("edited").unwrap();
    assert_eq!(v2.revision, 2);
    let second = lectern::learning::attempt_quiz(&db, &user, v2, &answers)
        .await
        .unwrap();
    assert!(
        !second.scored.passed,
        "the same answer is wrong under the new key"
    );
    assert_eq!(
        second.stats.best_percent,
        Some(100),
        "the earlier best is kept"
    );

    let (stored, _) = lectern::learning::attempts(&db, &user, v2).await.unwrap();
    assert_eq!(stored.len(), 2);
    let (newest, oldest) = (&stored[0], &stored[1]);
    assert_eq!(
        (oldest.revision, oldest.percent, oldest.passed),
        (1, 100, true)
    );
    assert_eq!(
        (newest.revision, newest.percent, newest.passed),
        (2, 0, false)
    );
    let old_results = lectern::learning::stored_results(oldest);
    assert_eq!(old_results[0].correct_choice_ids, [1]);
    assert_eq!(old_results[0].chosen_choice_ids, [1]);
    assert_eq!(old_results[0].explanation, "First key: b.");
    assert_eq!(
        lectern::learning::stored_results(newest)[0].explanation,
        "Second key: c."
    );
    db.close().await;
}
