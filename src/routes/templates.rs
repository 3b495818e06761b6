//! Page templates (tera), compiled into the binary and loaded once at start.

use tera::{Context, Tera};

use crate::error::AppError;

const TEMPLATES: [(&str, &str); 31] = [
    (
        "certificate.html",
        include_str!("../../templates/certificate.html"),
    ),
    ("base.html", include_str!("../../templates/base.html")),
    ("macros.html", include_str!("../../templates/macros.html")),
    ("catalog.html", include_str!("../../templates/catalog.html")),
    ("lesson.html", include_str!("../../templates/lesson.html")),
    (
        "glossary.html",
        include_str!("../../templates/glossary.html"),
    ),
    (
        "lesson/header.html",
        include_str!("../../templates/lesson/header.html"),
    ),
    (
        "lesson/content.html",
        include_str!("../../templates/lesson/content.html"),
    ),
    (
        "lesson/questions.html",
        include_str!("../../templates/lesson/questions.html"),
    ),
    (
        "lesson/tokens.html",
        include_str!("../../templates/lesson/tokens.html"),
    ),
    (
        "lesson/reader/learning_bar.html",
        include_str!("../../templates/lesson/reader/learning_bar.html"),
    ),
    (
        "lesson/reader/complete.html",
        include_str!("../../templates/lesson/reader/complete.html"),
    ),
    (
        "lesson/reader/quiz_record.html",
        include_str!("../../templates/lesson/reader/quiz_record.html"),
    ),
    (
        "lesson/reader/quiz_button.html",
        include_str!("../../templates/lesson/reader/quiz_button.html"),
    ),
    (
        "lesson/recommended.html",
        include_str!("../../templates/lesson/recommended.html"),
    ),
    ("signup.html", include_str!("../../templates/signup.html")),
    ("login.html", include_str!("../../templates/login.html")),
    ("account.html", include_str!("../../templates/account.html")),
    (
        "forgot_password.html",
        include_str!("../../templates/forgot_password.html"),
    ),
    (
        "reset_password.html",
        include_str!("../../templates/reset_password.html"),
    ),
    ("sign_in.html", include_str!("../../templates/sign_in.html")),
    (
        "link_sent.html",
        include_str!("../../templates/link_sent.html"),
    ),
    (
        "link_confirm.html",
        include_str!("../../templates/link_confirm.html"),
    ),
    (
        "link_expired.html",
        include_str!("../../templates/link_expired.html"),
    ),
    (
        "admin/index.html",
        include_str!("../../templates/admin/index.html"),
    ),
    (
        "admin/editor.html",
        include_str!("../../templates/admin/editor.html"),
    ),
    (
        "admin/users.html",
        include_str!("../../templates/admin/users.html"),
    ),
    (
        "admin/analytics.html",
        include_str!("../../templates/admin/analytics.html"),
    ),
    (
        "admin/webhooks.html",
        include_str!("../../templates/admin/webhooks.html"),
    ),
    ("pricing.html", include_str!("../../templates/pricing.html")),
    ("search.html", include_str!("../../templates/search.html")),
];

pub struct Templates {
    tera: Tera,
}

impl Templates {
    pub fn load() -> anyhow::Result<Templates> {
        let mut tera = Tera::default();
        tera.add_raw_templates(TEMPLATES)?;
        tera.autoescape_on(vec![".html"]);
        tera.register_filter("urlencode", urlencode);
        Ok(Templates { tera })
    }

    /// Render a page; `asset_version` is added for cache-busted static links.
    pub fn render(&self, name: &str, mut context: Context) -> Result<String, AppError> {
        context.insert("asset_version", crate::routes::assets::version());
        self.tera.render(name, &context).map_err(AppError::internal)
    }

    /// Render a part of a page, to be placed in a page with `| safe`.
    pub fn render_part(&self, name: &str, context: &Context) -> Result<String, AppError> {
        self.tera.render(name, context).map_err(AppError::internal)
    }
}

/// `value | urlencode`: percent-encode a query-string value (path slashes kept).
fn urlencode(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    let text = tera::try_get_value!("urlencode", "value", String, value);
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    Ok(tera::Value::String(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlencode_keeps_paths_and_escapes_the_rest() {
        let value = tera::Value::String("/lessons/a b#quiz&x=é".into());
        let encoded = urlencode(&value, &Default::default()).unwrap();
        assert_eq!(encoded, "/lessons/a%20b%23quiz%26x%3D%C3%A9");
    }
}
