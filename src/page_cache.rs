//! Whole pages for anonymous readers, rendered once per catalog generation.
//!
//! An anonymous reader's page depends only on the catalog, so it is rendered once and
//! its bytes are served to every anonymous request until the catalog changes.

use std::collections::HashMap;
use std::sync::RwLock;

use actix_web::web::Bytes;

#[derive(Default)]
pub struct PageCache {
    pages: RwLock<HashMap<String, (i64, Bytes)>>,
}

impl PageCache {
    /// The page stored under `key`, if it was rendered for this catalog generation.
    pub fn get(&self, key: &str, generation: i64) -> Option<Bytes> {
        let pages = self.pages.read().unwrap_or_else(|p| p.into_inner());
        pages
            .get(key)
            .filter(|(stored, _)| *stored == generation)
            .map(|(_, page)| page.clone())
    }

    pub fn put(&self, key: &str, generation: i64, page: Bytes) {
        let mut pages = self.pages.write().unwrap_or_else(|p| p.into_inner());
        pages.insert(key.to_owned(), (generation, page));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_expire_with_the_generation() {
        let cache = PageCache::default();
        cache.put("/", 3, Bytes::from_static(b"old"));
        assert_eq!(cache.get("/", 3).as_deref(), Some(&b"old"[..]));
        assert!(cache.get("/", 4).is_none(), "a newer catalog misses");
        cache.put("/", 4, Bytes::from_static(b"new"));
        assert_eq!(cache.get("/", 4).as_deref(), Some(&b"new"[..]));
    }
}
