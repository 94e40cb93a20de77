/**
 * Names a program may leave undefined: the loader resolves each through murmur3(name) in its
 * syscall registry. List from Agave's `syscalls/mod.rs` (`create_program_runtime_environment_v1`);
 * a name outside it would load in litesvm but fail a real deploy with "Unresolved symbol".
 */
export const KNOWN_SYSCALLS: ReadonlySet<string> = new Set([
  "abort",
  "sol_panic_",
  "sol_log_",
  "sol_log_64_",
  "sol_log_compute_units_",
  "sol_log_pubkey",
  "sol_log_data",
  "sol_create_program_address",
  "sol_try_find_program_address",
  "sol_sha256",
  "sol_keccak256",
  "sol_blake3",
  "sol_secp256k1_recover",
  "sol_get_clock_sysvar",
  "sol_get_epoch_schedule_sysvar",
  "sol_get_fees_sysvar",
  "sol_get_rent_sysvar",
  "sol_get_last_restart_slot",
  "sol_get_epoch_rewards_sysvar",
  "sol_get_sysvar",
  "sol_get_epoch_stake",
  "sol_memcpy_",
  "sol_memmove_",
  "sol_memcmp_",
  "sol_memset_",
  "sol_invoke_signed_c",
  "sol_invoke_signed_rust",
  "sol_set_return_data",
  "sol_get_return_data",
  "sol_get_stack_height",
  "sol_get_processed_sibling_instruction",
  "sol_remaining_compute_units",
  "sol_curve_validate_point",
  "sol_curve_group_op",
  "sol_curve_multiscalar_mul",
  "sol_alt_bn128_group_op",
  "sol_alt_bn128_compression",
  "sol_big_mod_exp",
  "sol_poseidon",
]);

/**
 * Undefined names that mean a syscall under another name. llc 22 lowers `llvm.trap` /
 * `unreachable` to `call __bpf_trap`; plain C `memcpy`/`memmove`/`memset` calls have the same
 * argument order as the syscalls (their return value, the destination, is never used by rustc).
 */
export const SYSCALL_ALIASES: ReadonlyMap<string, string> = new Map([
  ["__bpf_trap", "abort"],
  ["memcpy", "sol_memcpy_"],
  ["memmove", "sol_memmove_"],
  ["memset", "sol_memset_"],
]);
