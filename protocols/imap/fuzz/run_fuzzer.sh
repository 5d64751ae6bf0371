#!/bin/sh
# Builds the IMAP command parser fuzzer with clang (libFuzzer + ASan) and
# runs it. Usage: run_fuzzer.sh [seconds]   (default 60)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
seconds=${1:-60}
out=${TMPDIR:-/tmp}/mailroom_imap_fuzz
mkdir -p "$out/corpus"
cp -n "$here"/corpus/* "$out/corpus/" 2>/dev/null || true

absl_libs="-labsl_statusor -labsl_status -labsl_cord -labsl_cord_internal
  -labsl_cordz_info -labsl_cordz_handle -labsl_cordz_functions
  -labsl_exponential_biased -labsl_str_format_internal -labsl_strings
  -labsl_strings_internal -labsl_synchronization -labsl_graphcycles_internal
  -labsl_stacktrace -labsl_symbolize -labsl_debugging_internal
  -labsl_demangle_internal -labsl_malloc_internal -labsl_time
  -labsl_civil_time -labsl_time_zone -labsl_int128 -labsl_throw_delegate
  -labsl_bad_optional_access -labsl_bad_variant_access -labsl_base
  -labsl_spinlock_wait -labsl_raw_logging_internal -labsl_log_severity
  -labsl_strerror"

clang++ -std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined \
  -I"$root" \
  "$here/command_parser_fuzzer.cc" \
  "$root/protocols/imap/command_parser.cc" \
  "$root/protocols/imap/fetch_parser.cc" \
  "$root/protocols/imap/lexer.cc" \
  "$root/protocols/imap/search_parser.cc" \
  "$root/protocols/imap/sequence_set.cc" \
  "$root/protocols/imap/utf7.cc" \
  $absl_libs -o "$out/command_parser_fuzzer"

"$out/command_parser_fuzzer" -max_total_time="$seconds" -max_len=4096 \
  -print_final_stats=1 "$out/corpus"
