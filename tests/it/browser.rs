//! In a real browser: the token box counts as the reader types, and works without
//! JavaScript through its form; a lesson's figures load and its formulas have layout.

use crate::common;

use common::webdriver::Browser;
use common::{spawn, Backend};
use lectern::tokenizer::{count, Encoding};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_browser),
    ignore = "install Debian's chromium and chromium-driver to run it"
)]
async fn the_token_box_counts_as_the_reader_types() {
    let browser = Browser::start(true).await;
    let app = spawn(Backend::Sqlite).await;
    browser
        .goto(&app.url("/lessons/transformer-revolution"))
        .await;
    assert_eq!(
        browser.text("#token-count").await,
        "4",
        "the example is counted on load"
    );

    let typed = "Tokenization splits text into pieces: 東京 🚀 and more!";
    let input = browser.find("#token-input").await;
    browser.clear(&input).await;
    browser.type_text(&input, typed).await;
    let expected = count(Encoding::O200kBase, typed).to_string();
    browser
        .wait_for_text("#token-count", &expected)
        .await
        .unwrap_or_else(|seen| panic!("#token-count shows {seen}, expected {expected}"));
    assert_eq!(
        browser.text("#token-characters").await,
        typed.chars().count().to_string()
    );
    let drawn = browser.text("#token-segments").await;
    assert_eq!(drawn, typed, "the coloured tokens spell the text");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_browser),
    ignore = "install Debian's chromium and chromium-driver to run it"
)]
async fn the_token_box_works_without_javascript_in_a_browser() {
    let browser = Browser::start(false).await;
    let app = spawn(Backend::Sqlite).await;
    browser
        .goto(&app.url("/lessons/transformer-revolution"))
        .await;
    let typed = "The quick brown fox jumps over the lazy dog.";
    let input = browser.find("#token-input").await;
    browser.clear(&input).await;
    browser.type_text(&input, typed).await;
    let submit = browser.find(".token-form button[type=submit]").await;
    browser.click(&submit).await;
    let expected = count(Encoding::O200kBase, typed).to_string();
    browser
        .wait_for_text("#token-count", &expected)
        .await
        .unwrap_or_else(|seen| panic!("#token-count shows {seen}, expected {expected}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_browser),
    ignore = "install Debian's chromium and chromium-driver to run it"
)]
async fn the_lesson_editor_previews_as_the_admin_types() {
    let browser = Browser::start(true).await;
    let app = spawn(Backend::Sqlite).await;
    let db = lectern::db::Db::connect(&app.settings).await.unwrap();
    let passwords = lectern::auth::password::Passwords::new(1);
    lectern::accounts::create_admin(
        &db,
        &passwords,
        "editor@example.com",
        "Eddie",
        common::TEST_PASSWORD,
    )
    .await
    .unwrap();

    browser
        .goto(&app.url("/login?next=/admin/lessons/new"))
        .await;
    let email = browser.find("#email").await;
    browser.type_text(&email, "editor@example.com").await;
    let password = browser.find("#password").await;
    browser.type_text(&password, common::TEST_PASSWORD).await;
    let submit = browser.find("form.stacked-form button[type=submit]").await;
    browser.click(&submit).await;
    browser
        .wait_for_text_containing("main", "Preview")
        .await
        .unwrap_or_else(|seen| panic!("the editor did not open: {seen}"));

    let source = browser.find("#lesson-source").await;
    browser
        .type_text(
            &source,
            "\n\n## A heading typed just now\n\nWith **bold** words.\n",
        )
        .await;
    browser
        .wait_for_text_containing("#preview-html", "A heading typed just now")
        .await
        .unwrap_or_else(|seen| panic!("the live preview did not follow the typing: {seen}"));
    let tokens = browser.text("#preview-tokens").await;
    assert!(
        tokens.parse::<usize>().is_ok_and(|n| n > 0),
        "a token count, got {tokens:?}"
    );
}

/// A figure has loaded (its bitmap is there) and a formula is laid out (its box is not empty),
/// polled until a deadline: figures load lazily, after layout.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_browser),
    ignore = "install Debian's chromium and chromium-driver to run it"
)]
async fn figures_load_and_formulas_have_layout() {
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let browser = Browser::start(true).await;
    let figures = common::spawn_with(Backend::Sqlite, &data.join("figures")).await;
    browser.goto(&figures.url("/lessons/drawn")).await;
    let loaded = "const images = [...document.querySelectorAll('main img')]; \
                  images.forEach(i => i.scrollIntoView()); \
                  return images.length >= 2 && images.every(i => i.complete && i.naturalWidth > 0);";
    wait_for_script(&browser, loaded).await;

    let formulas = common::spawn_with(Backend::Sqlite, &data.join("formulas")).await;
    browser.goto(&formulas.url("/lessons/math-and-code")).await;
    let laid_out = "const maths = [...document.querySelectorAll('math')]; \
                    return maths.length >= 2 && maths.every(m => { \
                      const box = m.getBoundingClientRect(); return box.width > 0 && box.height > 0; });";
    wait_for_script(&browser, laid_out).await;
}

async fn wait_for_script(browser: &Browser, script: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    while browser.script(script).await != serde_json::json!(true) {
        assert!(
            std::time::Instant::now() < deadline,
            "never true in the page: {script}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(lectern_browser),
    ignore = "install Debian's chromium and chromium-driver to run it"
)]
async fn search_results_follow_typing_and_the_keyboard() {
    const ARROW_DOWN: &str = "\u{E015}";
    let browser = Browser::start(true).await;
    let app = spawn(Backend::Sqlite).await;
    browser.goto(&app.url("/pricing")).await;
    wait_for_script(&browser, "return document.readyState === 'complete';").await;
    // "/" outside a field focuses the header's box.
    browser
        .script(
            "document.body.dispatchEvent(new KeyboardEvent('keydown', {key: '/', bubbles: true}));",
        )
        .await;
    wait_for_script(
        &browser,
        "return document.activeElement.id === 'site-search-q';",
    )
    .await;

    let input = browser.find("#site-search-q").await;
    browser.type_text(&input, "token").await;
    wait_for_script(
        &browser,
        "return document.querySelectorAll('#search-live a').length >= 2 \
           && !document.getElementById('search-live').hidden;",
    )
    .await;
    let (_, api) = app.get_json("/api/v1/search?q=token&limit=8").await;
    let first = format!("/lessons/{}", api["results"][0]["slug"].as_str().unwrap());
    assert_eq!(
        browser
            .script("return document.querySelector('#search-live a').getAttribute('href');")
            .await,
        serde_json::json!(first),
        "the live results are the API's, best first"
    );

    // Arrow keys move from the box through the results.
    browser.type_text(&input, ARROW_DOWN).await;
    wait_for_script(
        &browser,
        "return document.activeElement === document.querySelectorAll('#search-live a')[0];",
    )
    .await;
    let link = browser.find("#search-live li:first-child a").await;
    browser.type_text(&link, ARROW_DOWN).await;
    wait_for_script(
        &browser,
        "return document.activeElement === document.querySelectorAll('#search-live a')[1];",
    )
    .await;
}
