//! Authentication of HTTP requests, off unless configured: bcrypt basic
//! auth users (`htpasswd`), a bearer token (`verify`), a cache of verified
//! headers (`cache`), per-address failure limits (`rate_limit`) and the
//! gate in front of the routes (`gate`).

pub mod cache;
pub mod gate;
pub mod htpasswd;
pub mod rate_limit;
pub mod verify;

pub use gate::Gate;
pub use verify::{Authenticator, Credentials};
