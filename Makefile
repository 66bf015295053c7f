# SPDX-License-Identifier: BSD-3-Clause
# Entry points for people and CI. Meson builds; this file only strings the steps together so
# that each target works on a fresh Debian 12 machine as root: it installs what is missing
# (scripts/setup.sh, instant when nothing is), configures and builds what is stale
# (scripts/build.sh), then runs. `make help` lists the targets.

SHELL := /bin/bash
.DEFAULT_GOAL := build
MAKEFLAGS += --no-print-directory

# make test T=l2_flood        only the tests whose name contains l2_flood (T=a,b for several)
# make fuzz FUZZ_SECONDS=60   fuzz each target longer (make fuzz: 20 s, make test: 10 s)
# make test E2E_TIMEOUT=600   per e2e script, unless the script sets its own "# timeout: N"
# VSW_BUILD_PREFIX=/tmp/b     build in /tmp/b, /tmp/b-asan, /tmp/b-fuzz instead of build*/
T ?=
FUZZ_SECONDS ?=
E2E_TIMEOUT ?=
VSW_BUILD_PREFIX ?= build
export T FUZZ_SECONDS E2E_TIMEOUT VSW_BUILD_PREFIX

B := $(VSW_BUILD_PREFIX)

.PHONY: help setup setup-bench build build-asan demo test test-unit test-e2e test-e2e-asan asan \
	fuzz bench lint format clean

help: ## this list
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 14

setup: ## install the missing Debian packages (root)
	@scripts/setup.sh

setup-bench: ## the same, plus Open vSwitch with DPDK for make bench
	@scripts/setup.sh --bench

build: setup ## build build/ (gcc, release): vsw-dataplane, vsw-controller, vswctl, tests
	@scripts/build.sh release

build-asan: setup ## build build-asan/ (gcc, debug, AddressSanitizer + UBSan)
	@scripts/build.sh asan

demo: build ## build, then show the switch at work (scripts/demo.sh)
	@VSW_BUILD="$(B)" bash scripts/demo.sh

test: setup ## unit tests, the same under ASan, fuzz targets briefly, e2e tests (plain, ASan)
	@scripts/run-tests.sh

test-unit: setup ## unit tests only, plain and under ASan + UBSan
	@scripts/run-tests.sh unit asan

test-e2e: setup ## end-to-end tests only (tests/e2e/*_test.sh), release build
	@scripts/run-tests.sh e2e

test-e2e-asan: setup ## the end-to-end tests against build-asan/ (ASan + UBSan)
	@scripts/run-tests.sh e2e-asan

asan: setup ## build build-asan/ and run the unit tests in it
	@scripts/run-tests.sh asan

fuzz: setup ## build build-fuzz/ (clang) and run each libFuzzer target (20 s each)
	@FUZZ_SECONDS=$${FUZZ_SECONDS:-20} scripts/run-tests.sh fuzz

# bench/run.sh reserves hugepages itself (scripts/hugepages.sh) unless BENCH_HUGE=0.
# make bench BENCH_ONLY=vxlan,vxlan6 picks scenarios (bench/run.sh lists them; vxlan6, the
# IPv6 underlay, and latency only run when named); BENCH_SECONDS=N shortens the window.
bench: setup-bench build ## benchmark vsw against testpmd and OVS-DPDK (hugepages)
	@VSW_BUILD="$(B)" bash bench/run.sh

lint: setup ## check C format (.clang-format), SPDX lines, shell syntax
	@scripts/lint.sh

format: setup ## reformat every C file with clang-format
	@scripts/lint.sh --fix

clean: ## remove the build directories and test logs
	rm -rf -- "$(B)" "$(B)-asan" "$(B)-fuzz" "$(B)-test-logs"
