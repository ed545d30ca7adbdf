//! The 3072-bit modular arithmetic SRP runs on lives in its own crate, `mont3072`, so that it
//! can be compiled for speed (opt-level 3) while the rest of the SDK is compiled for size.
pub use mont3072::*;
