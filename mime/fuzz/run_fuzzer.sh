#!/usr/bin/env bash
# Builds mime/fuzz/parse_fuzzer with clang (libFuzzer + ASan + UBSan) and runs
# it on a copy of the seed corpus.
#   mime/fuzz/run_fuzzer.sh [seconds=120] [extra libFuzzer flags...]
# Needs clang (apt-get install clang) and the project's Debian -dev packages.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds="${1:-120}"
shift || true

out="${MAILROOM_FUZZ_DIR:-/tmp/mailroom-mime-fuzz}"
mkdir -p "$out/corpus"
cp -n mime/fuzz/corpus/* "$out/corpus/" 2>/dev/null || true
mkdir -p "$out/include"
cp /usr/lib/x86_64-linux-gnu/glib-2.0/include/glibconfig.h "$out/include/"

sources=(
  mime/fuzz/parse_fuzzer.cc mime/testing/tiling.cc
  mime/charset.cc mime/header.cc mime/params.cc mime/parser.cc
  mime/serialize.cc mime/address.cc mime/base_subject.cc mime/date.cc
  mime/encoded_word.cc mime/extract_text.cc mime/html.cc mime/search_fold.cc
  mime/transfer_encoding.cc mime/imap_body_structure.cc
  mime/imap_envelope.cc mime/imap_section.cc mime/imap_string.cc
)
clang++ -std=c++20 -g -O1 -fno-omit-frame-pointer \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
  -I. -isystem /usr/include/glib-2.0 -isystem "$out/include" \
  "${sources[@]}" -o "$out/parse_fuzzer" \
  -lglib-2.0 -labsl_status -labsl_statusor -labsl_strings \
  -labsl_strings_internal -labsl_cord -labsl_cord_internal \
  -labsl_cordz_info -labsl_cordz_handle -labsl_cordz_functions \
  -labsl_str_format_internal -labsl_int128 -labsl_raw_logging_internal \
  -labsl_throw_delegate -labsl_base -labsl_spinlock_wait \
  -labsl_exponential_biased -labsl_synchronization -labsl_time \
  -labsl_stacktrace -labsl_symbolize -labsl_debugging_internal \
  -labsl_demangle_internal -labsl_malloc_internal -labsl_graphcycles_internal \
  -labsl_time_zone -labsl_bad_optional_access

exec "$out/parse_fuzzer" "$out/corpus" -max_total_time="$seconds" \
  -max_len=65536 -timeout=10 -rss_limit_mb=2048 "$@"
