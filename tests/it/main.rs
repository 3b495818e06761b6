//! Lectern's black-box tests, in one test binary.
//!
//! Each module is one suite: it spawns the app (or the `lectern` binary) and talks to it as a
//! client would. They share the helpers in `common`. One binary links typst, actix and sqlx
//! once; a binary per suite linked them once per suite.
//!
//! A new suite is a file `tests/it/<name>.rs` with a `//!` line saying what it proves, added
//! below as `mod <name>;`; run it alone with `cargo test --test it <name>::`.

#[macro_use]
mod common;

mod accounts;
mod admin;
mod browser;
mod certificates;
mod content_props;
mod course;
mod crash;
mod figures;
mod formulas;
mod freshness;
mod full_disk;
mod glossary;
mod import;
mod layers;
mod learning;
mod mail;
mod migrations;
mod openapi;
mod outage;
mod plans;
mod proxies;
mod recommend;
mod scale_out;
mod search;
mod serve;
mod site;
mod tokenizer_api;
mod tokenizer_props;
mod tokenizer_split;
mod tokenizer_vectors;
mod webhooks;
