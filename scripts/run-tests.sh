#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# vsw's test runner, behind `make test`, `make test-unit`, `make asan`, `make fuzz` and CI.
# Builds what each part needs (scripts/build.sh), runs the parts in order, prints one line per
# test and, for a failure, its output; the last line is always "N passed, N failed, N skipped"
# and the exit status is non-zero when anything failed.
#
#   scripts/run-tests.sh [unit] [asan] [fuzz] [e2e] [e2e-asan]     default: all five
#
#   unit  cmocka tests: meson test --suite unit in build/ (one count per test binary)
#   asan  the same tests in build-asan/ under AddressSanitizer + UBSan
#   fuzz  every libFuzzer target under tests/fuzz/ for FUZZ_SECONDS, seeded from
#         tests/fuzz/corpus/<key>/ with tests/fuzz/<key>.dict if present, where <key> is the
#         target's name, without its fuzz_ prefix, or a shorter _-prefix of that
#         (fuzz_ctl_request: fuzz_ctl_request, ctl_request, ctl)
#   e2e   every tests/e2e/*_test.sh under `timeout`: exit 0 passes, 77 skips (its last line
#         saying SKIP, or else its last line, tells why), anything else fails
#   e2e-asan  the e2e scripts again against build-asan/ (all but those in E2E_ASAN_SKIP),
#         with twice their time limit; a script also fails when any of its processes wrote a
#         sanitizer report (a leak at exit included), even one whose exit status it ignores
#
# Environment:
#   T=PAT[,PAT..]     run only tests whose name contains one of the patterns
#   FUZZ_SECONDS      per fuzz target (default 10)
#   E2E_TIMEOUT       per e2e script, seconds (default 300); a script may ask for another
#                     limit with a line "# timeout: N" among its first 20 lines
#   E2E_ASAN_SKIP     e2e scripts the e2e-asan part leaves out, patterns as in T; default
#                     "vm_ capture_dumpcap": QEMU under TCG is slow enough without ASan, and
#                     a DPDK secondary process (dpdk-dumpcap) cannot share an ASan primary's
#                     memory (it fails to map it at the same addresses, or the primary
#                     crashes in DPDK's mempool code on the secondary's mbuf pool)
#   VSW_BUILD_PREFIX  build directory prefix (default build: build/, build-asan/, build-fuzz/)
#
# E2E scripts run from the repository root, stdin from /dev/null, with VSW_ROOT and VSW_BUILD
# (the release or, for e2e-asan, the ASan build directory, absolute) in their environment.
set -uo pipefail

cd "$(dirname "$0")/.."
root=$PWD
prefix=${VSW_BUILD_PREFIX:-build}
[[ $prefix == /* ]] || prefix=$root/$prefix
export VSW_BUILD_PREFIX=$prefix
fuzz_seconds=${FUZZ_SECONDS:-10}
e2e_timeout=${E2E_TIMEOUT:-300}
e2e_asan_skip=${E2E_ASAN_SKIP-vm_ capture_dumpcap}
T=${T:-}
py=/usr/bin/python3
[ -x $py ] || py=python3

parts=()
for arg in "$@"; do
	case $arg in
	unit | asan | fuzz | e2e | e2e-asan) parts+=("$arg") ;;
	-h | --help) awk 'NR > 2 && !/^#/ { exit } NR > 2' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "run-tests: unknown part '$arg' (unit, asan, fuzz, e2e, e2e-asan)" >&2; exit 2 ;;
	esac
done
[ ${#parts[@]} -gt 0 ] || parts=(unit asan fuzz e2e e2e-asan)
want() { [[ " ${parts[*]} " == *" $1 "* ]]; }

logdir=$prefix-test-logs
rm -rf "$logdir"
mkdir -p "$logdir"

# Sanitizers stop at the first report, and UBSan's reports fail the test.
asan_opts=${ASAN_OPTIONS:-abort_on_error=1:halt_on_error=1:detect_leaks=1:print_summary=1}
ubsan_opts=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
e2e_asan_opts=$asan_opts e2e_ubsan_opts=$ubsan_opts
# Where e2e-asan processes write reports; world-writable since a script may run one as nobody.
sandir=$logdir/sanitizer

n_pass=0 n_fail=0 n_skip=0
failed=()
started=$SECONDS

pass() { n_pass=$((n_pass + 1)); printf '  ok    %s%s\n' "$1" "${2:+ ($2)}"; }
skip() { n_skip=$((n_skip + 1)); printf '  skip  %s: %s\n' "$1" "$2"; }
fail() {
	n_fail=$((n_fail + 1))
	failed+=("$1")
	printf '  FAIL  %s%s\n' "$1" "${2:+ ($2)}"
}
# Print a log indented, the last $2 lines of it (default 200), with a pointer to the rest.
show() {
	local file=$1 max=${2:-200} n
	n=$(wc -l <"$file")
	if [ "$n" -gt "$max" ]; then
		printf '        ... %d earlier lines in %s\n' $((n - max)) "$file"
	fi
	tail -n "$max" "$file" | sed 's/^/      | /'
}
header() { printf '== %s\n' "$*"; }

# Does NAME contain one of the comma- or space-separated patterns in $2?
matches() {
	local pat pats
	IFS=', ' read -r -a pats <<<"$2"
	for pat in "${pats[@]}"; do
		[[ $1 == *"$pat"* ]] && return 0
	done
	return 1
}

# Does NAME contain one of T's patterns? (everything, without T)
selected() { [ -z "$T" ] || matches "$1" "$T"; }

# Build one tree; on failure count it as a failed test, since nothing in it can run.
# Returns the build script's status (77: the toolchain cannot make this kind of build).
build() {
	local kind=$1 rc
	scripts/build.sh "$kind" 2>&1 | sed 's/^/  /'
	rc=${PIPESTATUS[0]}
	[ $rc -eq 0 ] || [ $rc -eq 77 ] || fail "build ($kind)" "see the compiler output above"
	return $rc
}

# Names of the tests in meson suite "unit" of build dir $1.
unit_list() {
	# "project:suite / name" when the tree has several suites, plain "name" otherwise.
	meson test -C "$1" --no-rebuild --suite unit --list 2>/dev/null |
		sed -e 's|^.* / ||' -e '/^ninja: /d' -e '/^[[:space:]]*$/d'
}

# Run the unit suite in build dir $1 under heading $3, counting each test as "$2/<name>";
# further arguments go to meson test.
run_unit() {
	local dir=$1 label=$2 title=$3 names sel=() n result name dur
	shift 3
	mapfile -t names < <(unit_list "$dir")
	if [ ${#names[@]} -eq 0 ]; then
		# An empty suite would pass silently forever: without a filter that is a failure.
		if [ -z "$T" ]; then
			header "$title"
			fail "$label" "no tests in meson suite 'unit' of $dir"
		fi
		return
	fi
	for n in "${names[@]}"; do
		selected "$n" && sel+=("$n")
	done
	[ ${#sel[@]} -gt 0 ] || return
	[ -z "$T" ] && sel=()	# no names: meson runs the whole suite
	header "$title"

	rm -f "$dir/meson-logs/testlog.json"
	# --no-stdsplit: a failure's stderr (cmocka's reasons, sanitizer reports) stays
	# interleaved with its stdout.
	meson test -C "$dir" --no-rebuild --suite unit --no-stdsplit --print-errorlogs \
		"$@" "${sel[@]}" >"$logdir/$label.log" 2>&1
	if [ ! -s "$dir/meson-logs/testlog.json" ]; then
		fail "$label" "meson test did not run"
		show "$logdir/$label.log" 40
		return
	fi
	# One line per test: result, name, seconds; a failure's output goes to its own log.
	while IFS=$'\t' read -r result name dur; do
		case $result in
		OK | EXPECTEDFAIL) pass "$label/$name" "$dur s" ;;
		SKIP) skip "$label/$name" "skipped by the test itself (exit 77)" ;;
		*)
			fail "$label/$name" "$result after $dur s"
			show "$logdir/$label-$name.log"
			;;
		esac
	done < <("$py" - "$dir/meson-logs/testlog.json" "$logdir/$label" <<-'EOF'
		import json, sys
		for line in open(sys.argv[1]):
		    t = json.loads(line)
		    name = t["name"].split(" / ")[-1]
		    if t["result"] not in ("OK", "EXPECTEDFAIL", "SKIP"):
		        with open("%s-%s.log" % (sys.argv[2], name), "w") as f:
		            f.write("$ %s\n" % " ".join(t.get("command", [])))
		            f.write(t.get("stdout") or "")
		            f.write(t.get("stderr") or "")
		    print("%s\t%s\t%.2f" % (t["result"], name, t["duration"]))
		EOF
	)
}

# Executables that tests/fuzz/meson.build defines in build dir $1: "name<TAB>path" lines.
fuzz_targets() {
	meson introspect "$1" --targets 2>/dev/null | "$py" -c '
import json, sys
for t in json.load(sys.stdin):
    where = t.get("defined_in", "").replace("\\", "/")
    if t["type"] == "executable" and "/tests/fuzz/" in where:
        print("%s\t%s" % (t["name"], t["filename"][0]))'
}

# The names a target's corpus and dictionary may go by: fuzz_ctl_request looks for
# fuzz_ctl_request, ctl_request, then ctl (tests/fuzz/corpus/ctl/, tests/fuzz/ctl.dict).
fuzz_keys() {
	local k=${1#fuzz_}
	echo "$1"
	while [ -n "$k" ]; do
		echo "$k"
		[[ $k == *_* ]] || break
		k=${k%_*}
	done
}

# Fuzz one target for $fuzz_seconds from its seed corpus, which it only reads: new inputs go
# to a scratch directory, crashes to the log directory.
run_fuzz_one() {
	local name=$1 bin=$2 seeds= dict= k work log rc args stats
	while read -r k; do
		[ -z "$seeds" ] && [ -d "tests/fuzz/corpus/$k" ] && seeds=tests/fuzz/corpus/$k
		[ -z "$dict" ] && [ -f "tests/fuzz/$k.dict" ] && dict=tests/fuzz/$k.dict
	done < <(fuzz_keys "$name")
	work=$(mktemp -d "/tmp/vsw-fuzz-$name.XXXXXX")
	log=$logdir/fuzz-$name.log
	args=(-max_total_time="$fuzz_seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
		-artifact_prefix="$logdir/fuzz-$name-")
	[ -n "$dict" ] && args+=(-dict="$dict")
	local dirs=("$work")
	[ -n "$seeds" ] && dirs+=("$seeds")
	timeout -k 10 $((fuzz_seconds + 120)) "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1
	rc=$?
	rm -rf "$work"
	stats=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1 runs/p' "$log")
	[ -n "$seeds" ] || stats="${stats:+$stats, }no seed corpus in tests/fuzz/corpus/"
	if [ $rc -eq 0 ]; then
		pass "fuzz/$name" "$stats"
		return
	fi
	local a inputs=()
	for a in "$logdir/fuzz-$name-"*; do
		[ -e "$a" ] && inputs+=("$a")
	done
	if [ ${#inputs[@]} -gt 0 ]; then
		fail "fuzz/$name" "found a failing input, exit $rc"
	else
		fail "fuzz/$name" "exit $rc"
	fi
	show "$log" 60
	for a in "${inputs[@]}"; do
		printf '      input:  %s\n      replay: %s %s\n' "$a" "$bin" "$a"
	done
	[ ${#inputs[@]} -eq 0 ] ||
		printf '      once fixed, keep the input in %s/ as a regression seed\n' \
			"${seeds:-tests/fuzz/corpus/${name#fuzz_}}"
}

run_fuzz() {
	local dir=$prefix-fuzz stems=() s any=0 name bin rc
	# A filter that names no fuzz source spares the whole clang build.
	if [ -n "$T" ]; then
		for s in tests/fuzz/*.c; do
			[ -e "$s" ] && selected "$(basename "$s" .c)" && any=1
		done
		[ $any -eq 1 ] || return
	fi
	header "fuzz targets, $fuzz_seconds s each ($dir, clang)"
	build fuzz
	rc=$?
	if [ $rc -eq 77 ]; then
		skip fuzz "this toolchain cannot build libFuzzer targets"
		return
	fi
	[ $rc -eq 0 ] || return
	local found=0
	while IFS=$'\t' read -r name bin; do
		found=1
		selected "$name" || continue
		run_fuzz_one "$name" "$bin"
	done < <(fuzz_targets "$dir")
	[ $found -eq 1 ] || [ -n "$T" ] || skip fuzz "tests/fuzz/meson.build defines no targets"
}

netns_list() { ip netns list 2>/dev/null | awk '{ print $1 }' | sort; }

# Every process an e2e script starts inherits VSW_E2E_RUN; one that outlived its script (a
# daemon started with setsid, a dataplane left behind by a failing step) is found by it in
# /proc and killed, so it cannot disturb the next script. Other people's processes on the
# machine carry no such marker and are left alone.
e2e_sweep() {
	local marker=$1 name=$2 pid left=()
	for pid in $(grep -lszxF "VSW_E2E_RUN=$marker" /proc/[0-9]*/environ 2>/dev/null |
		cut -d/ -f3); do
		[ "$pid" = $$ ] && continue
		left+=("$pid:$(tr '\0' ' ' </proc/"$pid"/cmdline 2>/dev/null | cut -c1-60)")
		kill -9 "$pid" 2>/dev/null
	done
	[ ${#left[@]} -eq 0 ] ||
		printf '      warning: e2e/%s left processes behind (killed): %s\n' "$name" "${left[*]}"
}

# Run one e2e script as test "$2/<name>" (part e2e or e2e-asan) against build dir $3.
run_e2e_one() {
	local script=$1 part=$2 dir=$3 name limit log rc reason before after leaked
	name=$(basename "$script" .sh)
	name=${name%_test}
	log=$logdir/$part-$name.log
	limit=$(head -n 20 "$script" | sed -n 's/^# *timeout: *\([0-9][0-9]*\).*/\1/p' | head -n 1)
	limit=${limit:-$e2e_timeout}
	local san_env=() san=
	if [ "$part" = e2e-asan ]; then
		limit=$((limit * 2))
		# Each sanitized process writes its reports to $san.<pid>, not to a stderr the
		# script may discard or never show (a controller stopped with `|| true`, a vswctl
		# whose output is parsed): a report fails the test whatever the script made of it.
		san=$sandir/$name
		san_env=("ASAN_OPTIONS=$e2e_asan_opts:log_path=$san"
			"UBSAN_OPTIONS=$e2e_ubsan_opts:log_path=$san"
			"LSAN_OPTIONS=${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$root/tests/asan.supp")
	fi
	before=$(netns_list)
	local cmd=(bash "$script")
	[ -x "$script" ] && cmd=("$script")
	local t0=$SECONDS marker="$$-$part-$name"
	# timeout signals the script's whole process group, so its helpers die with it.
	env VSW_E2E_RUN="$marker" VSW_BUILD="$dir" "${san_env[@]}" \
		timeout -k 15 "$limit" "${cmd[@]}" </dev/null >"$log" 2>&1
	rc=$?
	e2e_sweep "$marker" "$part/$name"
	local took=$((SECONDS - t0)) reports=() f
	if [ -n "$san" ]; then
		for f in "$san".*; do
			[ -e "$f" ] && reports+=("$f")
		done
	fi
	if [ ${#reports[@]} -gt 0 ] && { [ $rc -eq 0 ] || [ $rc -eq 77 ]; }; then
		fail "$part/$name" "${#reports[@]} sanitizer report(s), though the script exited $rc"
	else
		case $rc in
		0)
			pass "$part/$name" "$took s"
			;;
		77)
			# The script's own words: its last line saying SKIP, else its last line.
			reason=$(grep -i 'skip' "$log" | tail -n 1)
			[ -n "$reason" ] || reason=$(grep -v '^[[:space:]]*$' "$log" | tail -n 1)
			skip "$part/$name" "${reason:-no reason given}"
			;;
		124 | 137)
			fail "$part/$name" "timed out after $limit s"
			show "$log"
			;;
		*)
			fail "$part/$name" "exit $rc after $took s"
			show "$log"
			;;
		esac
	fi
	for f in "${reports[@]}"; do
		printf '      sanitizer report %s:\n' "$f"
		show "$f" 80
	done
	after=$(netns_list)
	leaked=$(comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after") | xargs)
	if [ -n "$leaked" ]; then
		printf '      warning: network namespaces left behind after %s/%s: %s\n' \
			"$part" "$name" "$leaked"
	fi
}

# Run the selected e2e scripts as part $1 (e2e or e2e-asan) against build dir $2.
run_e2e() {
	local part=$1 dir=$2 scripts=() left=() s n
	for s in tests/e2e/*_test.sh; do
		[ -e "$s" ] || continue
		n=$(basename "$s" .sh)
		selected "$n" || continue
		if [ "$part" = e2e-asan ] && [ -n "$e2e_asan_skip" ] && matches "$n" "$e2e_asan_skip"
		then
			left+=("${n%_test}")
		else
			scripts+=("$s")
		fi
	done
	[ ${#scripts[@]} -gt 0 ] || [ ${#left[@]} -gt 0 ] || return
	if [ "$part" = e2e-asan ]; then
		header "end-to-end tests under ASan + UBSan ($dir)"
	else
		header "end-to-end tests (tests/e2e, release build)"
	fi
	export VSW_ROOT=$root
	for s in "${scripts[@]}"; do
		run_e2e_one "$s" "$part" "$dir"
	done
	for n in "${left[@]}"; do
		skip "$part/$n" "left out by E2E_ASAN_SKIP=$e2e_asan_skip"
	done
}

# The release build feeds the unit tests and the e2e scripts.
release_ok=1
if want unit || want e2e; then
	header "build ($prefix, gcc, release)"
	build release || release_ok=0
fi

if want unit && [ $release_ok -eq 1 ]; then
	run_unit "$prefix" unit "unit tests ($prefix)"
fi

# build-asan/ feeds the asan and e2e-asan parts; built once, when the first of them needs it.
asan_rc=
build_asan() {
	if [ -z "$asan_rc" ]; then
		header "build ($prefix-asan, gcc, debug, ASan + UBSan)"
		build asan
		asan_rc=$?
	fi
	return "$asan_rc"
}

if want asan; then
	# A filter that names no unit test spares the whole sanitizer build.
	need=1
	if [ -n "$T" ] && [ -f "$prefix/build.ninja" ]; then
		need=0
		while read -r n; do selected "$n" && need=1; done < <(unit_list "$prefix")
	fi
	if [ $need -eq 1 ] && build_asan; then
		ASAN_OPTIONS=$asan_opts UBSAN_OPTIONS=$ubsan_opts run_unit "$prefix-asan" asan \
			"unit tests under ASan + UBSan ($prefix-asan)" --timeout-multiplier 4
	fi
fi

want fuzz && run_fuzz

if want e2e; then
	if [ $release_ok -eq 1 ]; then
		run_e2e e2e "$prefix"
	else
		echo "  (e2e tests not run: the release build failed)"
	fi
fi

if want e2e-asan; then
	# A filter that names no e2e script spares the sanitizer build.
	need=0
	for s in tests/e2e/*_test.sh; do
		[ -e "$s" ] && selected "$(basename "$s" .sh)" && need=1
	done
	if [ $need -eq 1 ]; then
		if build_asan; then
			mkdir -p -m 1777 "$sandir"
			run_e2e e2e-asan "$prefix-asan"
		else
			echo "  (e2e-asan tests not run: the ASan build failed)"
		fi
	fi
fi

total=$((n_pass + n_fail + n_skip))
if [ $total -eq 0 ]; then
	echo "no test ran${T:+ (nothing matches T=$T)}"
	echo "0 passed, 0 failed, 0 skipped"
	exit 1
fi
[ ${#failed[@]} -eq 0 ] || printf 'failed: %s\n' "${failed[*]}"
printf 'logs in %s; took %d s\n' "$logdir" $((SECONDS - started))
echo "$n_pass passed, $n_fail failed, $n_skip skipped"
[ $n_fail -eq 0 ]
