//! Page templates (tera), compiled into the binary and loaded once at start.

use tera::{Context, Tera};

use crate::error::AppError;

const TEMPLATES: [(&str, &str); 4] = [
    ("base.html", include_str!("../templates/base.html")),
    ("macros.html", include_str!("../templates/macros.html")),
    ("catalog.html", include_str!("../templates/catalog.html")),
    ("lesson.html", include_str!("../templates/lesson.html")),
];

pub struct Templates {
    tera: Tera,
}

impl Templates {
    pub fn load() -> anyhow::Result<Templates> {
        let mut tera = Tera::default();
        tera.add_raw_templates(TEMPLATES)?;
        tera.autoescape_on(vec![".html"]);
        Ok(Templates { tera })
    }

    /// Render a page; `asset_version` is added for cache-busted static links.
    pub fn render(&self, name: &str, mut context: Context) -> Result<String, AppError> {
        context.insert("asset_version", crate::routes::assets::version());
        self.tera.render(name, &context).map_err(AppError::internal)
    }
}
