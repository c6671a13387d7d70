//! The SDK KPIO apps use.
#![no_std]
