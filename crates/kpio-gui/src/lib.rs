//! KPIO's compositor (`no_std` + `alloc`).
#![no_std]

extern crate alloc;
