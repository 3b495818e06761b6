//! Identity: passwords, session tokens and CSRF tokens, and who a request turned out to be.
//! Nothing here reads a request; `routes::session` does that.

pub mod password;
pub mod session;
pub mod token;

pub use session::{Credential, Session, Viewer};
pub use token::random_token;
