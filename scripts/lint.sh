#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# `make lint` (CI) and `make format`: checks that every C file is as .clang-format lays it out,
# that every source file opens with its SPDX line, and that every shell script parses. It
# names each offending file, so a failure in CI says what to fix before anyone reads a diff.
#
#   scripts/lint.sh          check, exit 1 on any problem
#   scripts/lint.sh --fix    reformat the C files that need it, in place (clang-format -i)
set -uo pipefail

cd "$(dirname "$0")/.."
cf=${CLANG_FORMAT:-clang-format}
fix=0
case ${1:-} in
'') ;;
--fix) fix=1 ;;
*) echo "usage: $0 [--fix]" >&2; exit 2 ;;
esac

if ! command -v "$cf" >/dev/null; then
	echo "lint: $cf not found (scripts/setup.sh installs clang-format)" >&2
	exit 1
fi

# Files of the tree, not of build directories, sorted so that reports are stable.
files() {
	find . \( -path ./.git -o -path './build*' -o -name __pycache__ \) -prune -o \
		-type f \( "$@" \) -print | sed 's|^\./||' | LC_ALL=C sort
}

mapfile -t c_files < <(files -name '*.c' -o -name '*.h')
mapfile -t sh_files < <(files -name '*.sh' -o -path ./.ci/run)
mapfile -t other_files < <(files -name '*.py' -o -name meson.build -o -name meson_options.txt)

problems=0
report() {
	printf 'lint: %s\n' "$*"
	problems=$((problems + 1))
}

if [ $fix -eq 1 ]; then
	changed=0
	for f in "${c_files[@]}"; do
		"$cf" --dry-run --Werror "$f" >/dev/null 2>&1 && continue
		"$cf" -i "$f" && changed=$((changed + 1))
	done
	echo "lint: reformatted $changed of ${#c_files[@]} C files"
	exit 0
fi

unformatted=()
for f in "${c_files[@]}"; do
	if ! "$cf" --dry-run --Werror "$f" >/dev/null 2>&1; then
		unformatted+=("$f")
		n=$("$cf" --dry-run "$f" 2>&1 | grep -c 'code should be clang-formatted')
		report "$f: $n line(s) differ from .clang-format"
	fi
done
if [ ${#unformatted[@]} -gt 0 ]; then
	# Show the first differences, enough to see the kind of problem without drowning the log.
	echo "lint: first differences (run 'make format' to fix them all):"
	for f in "${unformatted[@]:0:3}"; do
		diff -u "$f" <("$cf" "$f") --label "$f" --label "$f (formatted)" | head -n 20 |
			sed 's/^/  /'
	done
fi

# SPDX: line 1, or line 2 after a #! line.
spdx() {
	local f=$1 line
	line=$(head -n 2 "$f")
	if [[ $line == '#!'* ]]; then
		line=$(sed -n 2p "$f")
	else
		line=$(head -n 1 "$f")
	fi
	[[ $line == *SPDX-License-Identifier:* ]] ||
		report "$f: no SPDX-License-Identifier line at the top"
}
for f in "${c_files[@]}" "${sh_files[@]}" "${other_files[@]}"; do
	spdx "$f"
done

for f in "${sh_files[@]}"; do
	out=$(bash -n "$f" 2>&1) || report "$f: does not parse: $out"
done

n=$((${#c_files[@]} + ${#sh_files[@]} + ${#other_files[@]}))
if [ $problems -gt 0 ]; then
	echo "lint: $problems problem(s) in $n files"
	exit 1
fi
echo "lint: $n files clean"
