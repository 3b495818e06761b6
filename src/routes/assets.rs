//! Static files (styles, scripts), compiled into the binary and served with an ETag and a
//! long cache lifetime; pages link them with `?v=<version>` so a new build busts caches.

use std::sync::LazyLock;

use actix_web::http::header::{self, ETag, EntityTag};
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::AppError;
use crate::routes::error::PageError;

struct Asset {
    path: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: [Asset; 5] = [
    Asset {
        path: "css/site.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("../../static/css/site.css"),
    },
    Asset {
        path: "js/tokens.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/js/tokens.js"),
    },
    Asset {
        path: "js/admin.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/js/admin.js"),
    },
    Asset {
        path: "js/progress.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/js/progress.js"),
    },
    Asset {
        path: "js/search.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("../../static/js/search.js"),
    },
];

/// A short hash of every asset: changes whenever any of them does.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let hash = ASSETS.iter().fold(FNV_OFFSET, |hash, asset| {
        fnv1a(fnv1a(hash, asset.path.as_bytes()), asset.body)
    });
    format!("{:012x}", hash & 0xffff_ffff_ffff)
});

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

fn fnv1a(mut hash: u64, bytes: &[u8]) -> u64 {
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

pub fn version() -> &'static str {
    &VERSION
}

/// `GET /static/{path}`
pub async fn serve(req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, PageError> {
    let asset = ASSETS
        .iter()
        .find(|a| a.path == path.as_str())
        .ok_or(AppError::NotFound)?;
    let tag = EntityTag::new_strong(format!("{}-{:x}", version(), fnv1a(FNV_OFFSET, asset.body)));
    let cached = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag.to_string()));
    let mut response = if cached {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response
        .insert_header(ETag(tag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"));
    Ok(if cached {
        response.finish()
    } else {
        response.content_type(asset.content_type).body(asset.body)
    })
}
