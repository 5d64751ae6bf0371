#!/usr/bin/env bash
# Builds one libFuzzer target with clang (ASan + UBSan, leak detection on)
# and runs it on a working copy of its seed corpus.
#
#   scripts/fuzz.sh <package>/fuzz/<name> [seconds=600] [libFuzzer flags...]
#   scripts/fuzz.sh --build-only <package>/fuzz/<name>
#   scripts/fuzz.sh --list
#
# A target is declared with fuzz_target() from //fuzz:defs.bzl; its sources
# and link flags are read from the Bazel graph of `<name>_seeds_test`, so
# nothing is listed twice. Objects are kept in $MAILROOM_FUZZ_DIR
# (default /tmp/mailroom-fuzz), shared by all targets, and rebuilt only
# when a source or header changes. Findings land in <out>/<name>/artifacts/; the working corpus
# (seeds plus what the run discovered) in <out>/<name>/corpus/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
out_root="${MAILROOM_FUZZ_DIR:-/tmp/mailroom-fuzz}"

if [[ "${1:-}" == "--list" ]]; then
  bazel query 'attr(name, "_seeds_test$", kind(cc_test, //...))' 2>/dev/null |
    sed -e 's|^//||' -e 's|:|/|' -e 's|_seeds_test$||'
  exit 0
fi
build_only=0
if [[ "${1:-}" == "--build-only" ]]; then
  build_only=1
  shift
fi
target="${1:?usage: scripts/fuzz.sh <package>/fuzz/<name> [seconds] [flags...]}"
seconds="${2:-600}"
shift $(( $# >= 2 ? 2 : 1 ))

target="${target#//}"
pkg="${target%/*}"
pkg="${pkg%:*}"
name="${target##*[/:]}"
test_label="//${pkg}:${name}_seeds_test"
out="$out_root/$name"
# Objects per checkout: their dependency files name absolute source paths.
obj_root="$out_root/obj-$(printf '%s' "$root" | sha256sum | cut -c1-12)"
mkdir -p "$obj_root" "$out/corpus" "$out/artifacts"

# Workspace sources of the test, minus the gcc-only seed runner.
mapfile -t sources < <(
  bazel query "kind('source file', deps($test_label))" 2>/dev/null |
    grep -E '^//.*\.(cc|c)$' | grep -v '^//fuzz:seed_runner.cc$' |
    sed -e 's|^//||' -e 's|^:||' -e 's|:|/|')
[[ ${#sources[@]} -gt 0 ]] || { echo "no sources for $test_label" >&2; exit 1; }
# Link flags of the system-library wrappers the test depends on.
mapfile -t libs < <(
  bazel query --output=build "deps($test_label)" 2>/dev/null |
    grep -oE '"-l[^"]+"' | tr -d '"' | sort -u)

cxxflags=(-std=c++20 -g -O1 -fno-omit-frame-pointer
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
  -DASIO_STANDALONE -I"$root"
  -isystem /usr/include/glib-2.0
  -isystem /usr/lib/x86_64-linux-gnu/glib-2.0/include)

# A generated Makefile gives incremental, parallel builds with header
# dependencies (-MMD) for free.
{
  echo "CXXFLAGS := ${cxxflags[*]}"
  objs=()
  for src in "${sources[@]}"; do
    obj="$obj_root/${src%.*}.o"
    objs+=("$obj")
    echo "$obj: $root/$src"
    printf '\t@mkdir -p $(dir $@)\n\tclang++ $(CXXFLAGS) -MMD -c $< -o $@\n'
    echo "-include $obj_root/${src%.*}.d"
  done
  echo "$name: ${objs[*]}"
  printf '\tclang++ -fsanitize=fuzzer,address,undefined $^ -o $@ %s -lpthread\n' \
    "${libs[*]}"
} > "$out/Makefile"
make -s -C "$out" -j2 "$name"
echo "built $out/$name"
[[ $build_only == 1 ]] && exit 0

cp -n "$pkg/${name}_corpus"/* "$out/corpus/" 2>/dev/null || true
export ASAN_OPTIONS="detect_leaks=1:${ASAN_OPTIONS:-}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:${UBSAN_OPTIONS:-}"
cd "$out"
exec nice -n 10 "./$name" corpus -max_total_time="$seconds" \
  -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix=artifacts/ "$@"
