// Stub `compiler_builtins` for the bpfel-unknown-none sysroot. rustc insists that every no_std
// crate graph has a crate marked #![compiler_builtins]; the real one (a crates.io crate) is not
// available offline and its BPF routines would be libcalls the BPF backend refuses anyway. The
// pipeline supplies the few helpers a program needs in rt.rs instead.
#![feature(compiler_builtins)]
#![compiler_builtins]
#![no_std]
