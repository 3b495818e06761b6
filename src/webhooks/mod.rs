//! Learning-event webhooks (API.md section 16): endpoints admins register, events recorded
//! in the transaction of the change that causes them, and their signed delivery.

pub mod address;
pub mod courier;
pub mod endpoints;
pub mod events;
pub mod signature;

pub use events::{record, Event};
