//! KPIO's host APIs for apps (`no_std` + `alloc`; feature `host` adds std backends).
#![cfg_attr(not(feature = "host"), no_std)]

extern crate alloc;
