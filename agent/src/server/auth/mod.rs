//! Authentication of HTTP requests, off unless configured: bcrypt basic
//! auth users (`htpasswd`), a bearer token (`verify`), a cache of verified
//! headers (`cache`), per-address failure limits (`rate_limit`), the
//! gate in front of the routes (`gate`) and where the credentials are read
//! from, again on SIGHUP (`sources`).

pub mod cache;
pub mod gate;
pub mod htpasswd;
pub mod rate_limit;
pub mod sources;
pub mod verify;

pub use gate::Gate;
pub use sources::AuthSources;
pub use verify::{Authenticator, Credentials};
