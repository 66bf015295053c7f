#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Configures (only when needed) and builds one of vsw's three build trees, quietly: one line
# on success, the compiler's complaints on failure. The Makefile and scripts/run-tests.sh call
# it so that every entry point builds the same way.
#
#   scripts/build.sh release   build/       gcc, release               (what runs and ships)
#   scripts/build.sh asan      build-asan/  gcc, debug, ASan + UBSan   (unit tests again)
#   scripts/build.sh fuzz      build-fuzz/  clang, libFuzzer targets   (also the clang build)
#
# VSW_BUILD_PREFIX (default "build") moves all three, e.g. to /tmp/b, /tmp/b-asan, /tmp/b-fuzz.
# Exit 0 when built, 77 when this machine's toolchain cannot make that kind of build at all
# (only possible for fuzz: clang without libFuzzer), anything else when the build failed.
set -euo pipefail

cd "$(dirname "$0")/.."

kind=${1:-release}
prefix=${VSW_BUILD_PREFIX:-build}
case $kind in
release)
	dir=$prefix cc=gcc
	opts=(--buildtype=release)
	;;
asan)
	dir=$prefix-asan cc=gcc
	# b_lundef=false: the sanitizer runtimes resolve symbols at load time.
	opts=(--buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false)
	;;
fuzz)
	dir=$prefix-fuzz cc=clang
	opts=(--buildtype=debugoptimized -Dfuzz=true -Db_sanitize=address,undefined
		-Db_lundef=false)
	;;
*)
	echo "usage: $0 release|asan|fuzz" >&2
	exit 2
	;;
esac

say() { printf 'build: %s\n' "$*"; }

if [ "$kind" = fuzz ]; then
	# Tell "this machine cannot fuzz" (a skip) apart from "our fuzz targets do not build"
	# (a failure) by linking the smallest possible libFuzzer program first.
	probe=$(mktemp -d /tmp/vsw-fuzzprobe.XXXXXX)
	printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)' \
		'{ (void)d; (void)n; return 0; }' \
		>"$probe/p.c"
	if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe/p.c" -o "$probe/p" \
		>"$probe/log" 2>&1; then
		say "$cc cannot link libFuzzer programs (libclang-rt-14-dev missing?); no fuzzing:"
		head -n 5 "$probe/log" | sed 's/^/  /'
		rm -rf "$probe"
		exit 77
	fi
	rm -rf "$probe"
fi

log=$(mktemp /tmp/vsw-build.XXXXXX.log)
trap 'rm -f "$log"' EXIT
start=$SECONDS

if [ ! -f "$dir/build.ninja" ]; then
	setup=(meson setup)
	# A configured tree whose build.ninja is gone needs --wipe; a setup that failed before
	# writing its coredata leaves a directory a plain setup can reuse (and --wipe refuses).
	[ -f "$dir/meson-private/coredata.dat" ] && setup+=(--wipe)
	if ! CC=$cc "${setup[@]}" "${opts[@]}" "$dir" >"$log" 2>&1; then
		say "meson setup of $dir/ failed:"
		# Meson's own verdict, without the dependency lookups that led up to it.
		grep -E 'ERROR|WARNING' "$log" | sed 's/^/  /' || tail -n 20 "$log" | sed 's/^/  /'
		say "full log: $dir/meson-logs/meson-log.txt"
		exit 1
	fi
fi

# meson compile re-runs meson by itself when a meson.build changed.
if ! meson compile -C "$dir" ${JOBS:+-j "$JOBS"} >"$log" 2>&1; then
	say "compiling $dir/ failed:"
	# Drop ninja's progress lines; what remains is the failing commands and their errors.
	grep -v -E '^\[[0-9]+/[0-9]+\] |^ninja: Entering directory|^INFO: ' "$log" |
		head -n 150 | sed 's/^/  /'
	exit 1
fi

if grep -q -E '^\[[0-9]+/[0-9]+\] (Compiling|Linking)' "$log"; then
	say "$dir/ ($kind, $cc) built in $((SECONDS - start)) s"
fi
