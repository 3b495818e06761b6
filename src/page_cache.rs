//! Rendered HTML that depends only on the catalog, kept until the catalog changes.
//!
//! An anonymous reader's page depends only on the catalog, so it is rendered once and
//! its bytes are served to every anonymous request; the parts of a lesson page that many
//! signed-in readers share are kept the same way (`routes::pages::lesson::parts`).

use std::collections::HashMap;
use std::sync::RwLock;

use actix_web::web::Bytes;

/// HTML by key, each stamped with the catalog generation it was rendered from.
pub struct PageCache<Html = Bytes> {
    pages: RwLock<HashMap<String, (i64, Html)>>,
}

impl<Html> Default for PageCache<Html> {
    fn default() -> Self {
        PageCache {
            pages: RwLock::default(),
        }
    }
}

impl<Html: Clone> PageCache<Html> {
    /// The HTML stored under `key`, if it was rendered for this catalog generation.
    pub fn get(&self, key: &str, generation: i64) -> Option<Html> {
        let pages = self.pages.read().unwrap_or_else(|p| p.into_inner());
        pages
            .get(key)
            .filter(|(stored, _)| *stored == generation)
            .map(|(_, page)| page.clone())
    }

    pub fn put(&self, key: &str, generation: i64, page: Html) {
        let mut pages = self.pages.write().unwrap_or_else(|p| p.into_inner());
        pages.insert(key.to_owned(), (generation, page));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_expire_with_the_generation() {
        let cache = PageCache::<Bytes>::default();
        cache.put("/", 3, Bytes::from_static(b"old"));
        assert_eq!(cache.get("/", 3).as_deref(), Some(&b"old"[..]));
        assert!(cache.get("/", 4).is_none(), "a newer catalog misses");
        cache.put("/", 4, Bytes::from_static(b"new"));
        assert_eq!(cache.get("/", 4).as_deref(), Some(&b"new"[..]));
    }
}
