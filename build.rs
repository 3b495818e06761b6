//! Tells the tests which outside services they may use, so that a test without its service
//! is reported as ignored rather than passing without having run:
//!
//! - `lectern_postgres` when `LECTERN_TEST_POSTGRES_URL` names a PostgreSQL server;
//! - `lectern_browser` when Debian's chromium and chromium-driver are installed.
//!
//! Under `CI=true` both are set whatever is installed, so a missing service fails its tests
//! there. Only the tests read these; setting or clearing the variable rebuilds the crate once.

use std::path::Path;

/// Where the browser suite finds chromedriver and the browser (tests/it/common/webdriver.rs).
const BROWSER_FILES: [&str; 2] = ["/usr/bin/chromedriver", "/usr/bin/chromium"];
/// Changes whenever a Debian package is installed: the cue to look for the browser again.
const DPKG_STATUS: &str = "/var/lib/dpkg/status";

fn main() {
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
