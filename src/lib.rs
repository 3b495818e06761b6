//! Lectern: a learning platform in one binary.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod billing;
pub mod catalog;
pub mod certificates;
pub mod cli;
pub mod config;
pub mod content;
pub mod data_dir;
pub mod db;
pub mod error;
pub mod figure_store;
pub mod import;
pub mod learning;
pub mod mail;
pub mod media;
pub mod names;
pub mod outbox;
pub mod plans;
pub mod routes;
pub mod search;
pub mod startup;
pub mod telemetry;
pub mod tokenizer;
pub mod webhooks;
