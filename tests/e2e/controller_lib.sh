# SPDX-License-Identifier: BSD-3-Clause
#
# What the controller tests (tests/e2e/controller_*_test.sh) add to lib.sh: a private
# vsw-controller next to the private dataplane (its own socket and state file under the
# test's temp dir), vswctl pointed at it, and a cleanup that stops it too and fails the
# test if it was left running.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CTRL_BIN=$VSW_BUILD/control/vsw-controller
CTRL_PID=
CTRL_SOCK=
CTRL_STATE=
CTRL_LOG=

ctrl_init() {
	e2e_init
	[[ -x $CTRL_BIN ]] || skip "no controller binary at $CTRL_BIN (build first, or set VSW_BUILD)"
	CTRL_SOCK=$E2E_TMP/ctrl.sock
	CTRL_STATE=$E2E_TMP/state/controller.state
	CTRL_LOG=$E2E_TMP/ctrl.err
	trap 'ctrl_on_exit' EXIT
}

ctrl_on_exit() {
	local rc=$?
	ctrl_kill TERM
	if pgrep -f -- "$CTRL_BIN .*-s $CTRL_SOCK" >/dev/null 2>&1; then
		echo "$E2E_NAME: LEAK: vsw-controller on $CTRL_SOCK still running" >&2
		((rc != 0)) || rc=1
	fi
	if ((rc != 0 && rc != 77)) && [[ -n $CTRL_LOG && -e $CTRL_LOG ]]; then
		echo "---- controller stderr (tail) ----" >&2
		tail -n 30 "$CTRL_LOG" >&2
	fi
	(exit "$rc")
	e2e_cleanup
}

# ctrl_start: start the controller on the test's dataplane socket; wait for its ready line.
ctrl_start() {
	"$CTRL_BIN" -s "$CTRL_SOCK" -d "$SOCK" -f "$CTRL_STATE" -i 200 \
		>>"$E2E_TMP/ctrl.out" 2>>"$CTRL_LOG" &
	CTRL_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		if [[ $(grep -c "^vsw-controller: ready on $CTRL_SOCK" "$E2E_TMP/ctrl.out") -ge ${CTRL_STARTS:-0}+1 ]]; then
			CTRL_STARTS=$((${CTRL_STARTS:-0} + 1))
			log "controller pid $CTRL_PID ready on $CTRL_SOCK"
			return 0
		fi
		kill -0 "$CTRL_PID" 2>/dev/null || fail "controller exited before it was ready: $(tail -5 "$CTRL_LOG")"
		sleep 0.1
	done
	fail "controller not ready within 10 s"
}

# ctrl_kill [SIGNAL]: stop it (default SIGTERM), and wait for it.
ctrl_kill() {
	[[ -n $CTRL_PID ]] || return 0
	kill "-${1:-TERM}" "$CTRL_PID" 2>/dev/null || true
	wait "$CTRL_PID" 2>/dev/null || true
	CTRL_PID=
}

# vc ARGS...: vswctl on the controller's socket; fails the test on error.
vc() {
	local out rc=0
	out=$(timeout 60 "$CTL_BIN" --controller "$CTRL_SOCK" "$@" 2>&1) || rc=$?
	if ((rc != 0)); then
		printf '%s: FAIL: vswctl --controller %s -> exit %s\n%s\n' "$E2E_NAME" "$*" "$rc" "$out" >&2
		exit 1
	fi
	[[ -z $out ]] || printf '%s\n' "$out"
}
# vc_status ARGS...: the same, returning vswctl's exit status (output on stdout).
vc_status() { timeout 60 "$CTL_BIN" --controller "$CTRL_SOCK" "$@" 2>&1; }

# dpdk_ports: "name=dpdk_port ..." of every port, sorted: equal strings = no port re-created.
dpdk_ports() { vsw -j port show | jget "' '.join(sorted('%s=%s' % (p['name'], p['dpdk_port']) for p in r))"; }
