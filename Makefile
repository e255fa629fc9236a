# system-stats — build, test, package. `make help` lists the targets.
SHELL := /bin/bash
CARGO ?= cargo

.PHONY: help build release run test test-deps lint fmt generated bench deb lintian cross-toolchain cross-pi cross-pi-proof qemu-smoke e2e prometheus-https image image-test screenshots apt-repo apt-repo-proof upgrade-guard-proof clean

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-15s %s\n", $$1, $$2}'

build: ## debug build of both binaries
	$(CARGO) build --workspace --locked

release: ## optimised binaries in target/release/
	$(CARGO) build --workspace --release --locked

run: ## run the agent on :5001 (release build)
	$(CARGO) run --release --locked --bin system-stats-service

test-deps: ## install what the test suite needs (promtool, node_exporter, chromium), when missing
	scripts/install-test-deps.sh

test: test-deps ## the whole test suite (unit, fixture, end-to-end, browser, promtool)
	$(CARGO) test --workspace --locked

lint: ## rustfmt check + clippy with warnings denied
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

generated: ## write debian/system-stats.default and the man pages' settings from common/src/settings
	UPDATE_GENERATED=1 cargo test -p system-stats-common --test generated_files

fmt:
	$(CARGO) fmt --all

bench: ## release benchmark of agent and forwarder; prints a table
	scripts/bench.sh
	scripts/bench-lone.sh
	scripts/bench-auth.sh

deb: ## .deb for this machine's architecture, in target/debian/
	scripts/build-deb.sh

lintian: deb ## lintian (no E/W) + systemd-analyze verify of the host .deb
	scripts/lintian-check.sh target/debian/system-stats_*.deb

cross-toolchain: ## install the docker-free arm64/armhf Rust toolchain (root, idempotent)
	scripts/setup-cross-toolchain.sh

cross-pi: ## arm64 + armhf .debs for Raspberry Pi, in target/pi/ (cross if a container engine runs, else docker-free)
	scripts/cross-pi.sh

cross-pi-proof: ## cross mode with podman + a local Debian-built image: .debs in target/pi-cross, qemu-user, same files as target/pi (root)
	scripts/cross-pi-proof.sh

qemu-smoke: ## run the target/pi .debs' binaries under qemu-user (after make cross-pi)
	scripts/qemu-smoke.sh target/pi/system-stats_*.deb

e2e: deb ## install the .deb into a booted Debian (systemd-nspawn) and prove the units
	scripts/lintian-check.sh target/debian/system-stats_*.deb
	scripts/nspawn-deb-test.sh target/debian/system-stats_*.deb

prometheus-https: ## a real Prometheus scrapes the agent over HTTPS with basic auth / bearer (up == 1), not without (up == 0)
	scripts/prometheus-https-scrape-proof.sh

image: ## Raspberry Pi appliance image in target/image/ (after make cross-pi; root). SUITE=trixie|bookworm, REPO_URL= REPO_PUBKEY= (the apt repository it updates from), BASE=x.img[.xz]: customize that image instead
	@if [ -n "$(BASE)" ]; then scripts/image/customize "$(BASE)"; else CONF="$(CONF)" scripts/image/build.sh; fi

image-test: ## boot the image under qemu (-M virt and -M raspi3b in parallel) and prove the appliance, the upgrade proof (UPGRADE_PROOF=1 requires it) and customize included
	scripts/image/boot-test.sh

screenshots: ## the status page of the Pi fixture in headless Chromium, phone and desktop width, into docs/
	scripts/screenshots.sh

apt-repo: ## signed apt repository: REPO_DIR=<dir> REPO_KEY=<secret key file> [DEBS="a.deb b.deb"] (default: target/pi + target/debian .debs)
	@[ -n "$(REPO_DIR)" ] && [ -n "$(REPO_KEY)" ] || { echo "usage: make apt-repo REPO_DIR=<dir> REPO_KEY=<OpenPGP secret key file> [DEBS=...]"; exit 2; }
	scripts/apt-repo.sh build "$(REPO_DIR)" "$(REPO_KEY)" $(or $(DEBS),$(wildcard target/pi/*.deb target/debian/*.deb))

apt-repo-proof: ## apt accepts make apt-repo's output with its key, refuses it without (seconds; private apt state)
	scripts/apt-repo-proof.sh

upgrade-guard-proof: deb ## (root, ~3 min; CI runs it on trixie) real-systemd container: unattended-upgrades takes B; broken C and D rolled back to B, C pinned
	scripts/upgrade-guard-nspawn.sh target/debian/system-stats_*.deb

clean:
	$(CARGO) clean
