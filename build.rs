//! Tells the tests which outside services they may use, so that a test without its service
//! is reported as ignored rather than passing without having run:
//!
//! - `lectern_postgres` when `LECTERN_TEST_POSTGRES_URL` names a PostgreSQL server;
//! - `lectern_browser` when Debian's chromium and chromium-driver are installed.
//!
//! Under `CI=true` both are set whatever is installed, so a missing service fails its tests
//! there. Only the tests read these; setting or clearing the variable rebuilds the crate once.
//!
//! It also writes each vocabulary's tokens, from `bpe-openai`'s dictionaries, in the compact
//! form `src/tokenizer/tokens.rs` reads (`$OUT_DIR/<encoding>.tokens`).

use std::path::{Path, PathBuf};

use bpe_openai::byte_pair_encoding::BytePairEncoding;

/// Where the browser suite finds chromedriver and the browser (tests/it/common/webdriver.rs).
const BROWSER_FILES: [&str; 2] = ["/usr/bin/chromedriver", "/usr/bin/chromium"];
/// Changes whenever a Debian package is installed: the cue to look for the browser again.
const DPKG_STATUS: &str = "/var/lib/dpkg/status";

fn main() {
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    write_tokens(&out, "o200k_base", &bpe_openai::o200k_base().bpe);
    write_tokens(&out, "cl100k_base", &bpe_openai::cl100k_base().bpe);

    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=LECTERN_TEST_POSTGRES_URL");
    println!("cargo::rustc-check-cfg=cfg(lectern_postgres)");
    println!("cargo::rustc-check-cfg=cfg(lectern_browser)");

    let on_ci = std::env::var("CI").as_deref() == Ok("true");
    let postgres = std::env::var_os("LECTERN_TEST_POSTGRES_URL").is_some_and(|url| !url.is_empty());
    if on_ci || postgres {
        println!("cargo::rustc-cfg=lectern_postgres");
    }

    let browser = BROWSER_FILES.iter().all(|file| Path::new(file).exists());
    if browser {
        // Watched only while they exist: a missing file would rerun this script every build.
        for file in BROWSER_FILES {
            println!("cargo::rerun-if-changed={file}");
        }
    } else if Path::new(DPKG_STATUS).exists() {
        println!("cargo::rerun-if-changed={DPKG_STATUS}");
    }
    if on_ci || browser {
        println!("cargo::rustc-cfg=lectern_browser");
    }
}

/// `count` (u32, little endian), each token's length (one byte), then the tokens' bytes,
/// in id order.
fn write_tokens(out: &Path, name: &str, bpe: &BytePairEncoding) {
    let count = u32::try_from(bpe.num_tokens()).expect("fewer than 2^32 tokens");
    let mut blob = count.to_le_bytes().to_vec();
    for id in 0..count {
        blob.push(u8::try_from(bpe.token_len(id)).expect("no token is longer than 255 bytes"));
    }
    for id in 0..count {
        blob.extend_from_slice(bpe.token_bytes(id));
    }
    let path = out.join(format!("{name}.tokens"));
    std::fs::write(&path, blob).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
