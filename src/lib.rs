//! Lectern: a learning platform in one binary.

pub mod accounts;
pub mod admin;
pub mod auth;
pub mod catalog;
pub mod certificates;
pub mod cli;
pub mod config;
pub mod content;
pub mod data_dir;
pub mod db;
pub mod error;
pub mod learning;
pub mod lesson_view;
pub mod media;
pub mod page_cache;
pub mod plans;
pub mod routes;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod templates;
pub mod tokenizer;
