# producer: set-up, tests, demo, benchmark, and per-episode targets for any show folder.
#   make demo                 set up everything, build + check + publish the sample show
#   make test                 set up everything the tests need too, run the whole test suite
#   make test-fast            the unit tests alone (tests/unit/: pure, no ffmpeg), in seconds
#   make build-ep32           build SHOW/ep32 (only when an input changed: producer build --if-stale)
#   make check-ep32           measure the built episode against its preset and chapters
#   make publish-ep32         upload and update the feed
#   SHOW=../netstack make build-ep32

SHOW    ?= sample_media
PYTHON  ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
PRODUCER := $(BIN)/producer
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT     := $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq

.PHONY: install install-test system-deps test-deps test test-fast demo bench sample-media screenshots serve clean

# ffmpeg is all that building, checking and publishing an episode needs
system-deps:
	@command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || \
	  { $(SUDO) apt-get update -qq && $(APT) ffmpeg; }

# the tests also speak their voices with espeak-ng, test the pages in Debian's chromium
# through chromium-driver, request byte ranges with curl, and read feeds with the
# Podcast Index's parser (podcast-partytime, from npm, on Debian's node)
test-deps: system-deps tests/js/node_modules/.installed
	@command -v espeak-ng >/dev/null && command -v chromium >/dev/null && command -v chromedriver >/dev/null && \
	  command -v curl >/dev/null || \
	  { $(SUDO) apt-get update -qq && $(APT) espeak-ng chromium chromium-driver curl; }

tests/js/node_modules/.installed: tests/js/package.json tests/js/package-lock.json
	@command -v node >/dev/null && command -v npm >/dev/null || { $(SUDO) apt-get update -qq && $(APT) nodejs npm; }
	npm ci --prefix tests/js --no-audit --no-fund --silent
	touch $@

# uv resolves, downloads and installs in parallel: a fresh venv with the test extras in about
# 20 s where pip takes 50 (the same versions; both write bytecode, which machines that set
# PYTHONDONTWRITEBYTECODE need: each process would compile numpy and the rest from source).
# The venv gets no pip of its own (ensurepip: 4 s of a fresh clone's set-up): uv goes in with
# the interpreter's pip (--python, pip 22.3 on). Where either cannot be had or cannot reach the
# index, the venv gets pip after all and pip installs.
comma := ,
PIP_INSTALL = { [ -x $(BIN)/uv ] || $(PYTHON) -m pip --python $(BIN)/python install -q uv; } && \
  $(BIN)/uv pip install -q --native-tls --compile-bytecode --python $(BIN)/python $(1) || \
  { $(BIN)/python -m ensurepip >/dev/null && $(BIN)/python -m pip install -q $(1); }

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv --without-pip $(VENV)
	$(call PIP_INSTALL,-e .)
	touch $@

# the package and its test extras in one resolve and one editable build
$(VENV)/.installed-test: pyproject.toml
	$(PYTHON) -m venv --without-pip $(VENV)
	$(call PIP_INSTALL,-e '.[test$(comma)sample]')
	touch $(VENV)/.installed $@

install: system-deps $(VENV)/.installed

install-test: system-deps test-deps $(VENV)/.installed-test

# bytecode written once: where PYTHONDONTWRITEBYTECODE is set (as on our CI machines) each process
# the suite starts (`python -m producer`, -j's workers, the analysis child) would compile ~100
# modules from source (0.35 s each). A test file's module fixtures stay on one worker (loadfile),
# the files in conftest's LONGEST_FIRST order: xdist would otherwise hand out the files with the
# most tests first, and a long file of few tests came last while the other worker waited
test: install-test
	$(BIN)/python -m compileall -q producer
	$(BIN)/python -m pytest -q -n auto --dist loadfile --no-loadscope-reorder

# the unit tests alone: pure, in-process, no ffmpeg, no servers (tests/unit/, seconds)
test-fast: system-deps $(VENV)/.installed-test
	$(BIN)/python -m pytest -q tests/unit

demo: install
	$(PRODUCER) build $(SHOW)/ep32
	$(PRODUCER) check $(SHOW)/ep32
	$(PRODUCER) check $(SHOW)/ep32/dist/ep32.mp3 --html $(SHOW)/ep32/dist/check.html --episode $(SHOW)/ep32 >/dev/null
	$(PRODUCER) publish $(SHOW)/ep32
	$(PRODUCER) status $(SHOW)
	@echo "report: $(abspath $(SHOW))/ep32/dist/report.html"
	@echo "website: $(abspath $(SHOW))/public/index.html, feed: $(abspath $(SHOW))/public/feed.xml"
	@echo "preview it: $(PRODUCER) serve $(SHOW)   (http://127.0.0.1:8000/)"

bench: install-test
	$(call PIP_INSTALL,-e '.[test$(comma)bench]')
	$(BIN)/python bench/run.py

screenshots: install-test
	$(BIN)/python scripts/screenshots.py

serve: install
	$(PRODUCER) serve $(SHOW)

sample-media: install-test
	$(BIN)/python scripts/make_sample_media.py $(SHOW)

# Whether an episode needs a build is producer's answer, not a file list here: the
# digest of every input (recordings, music, artwork, chapter images, the preset,
# episode.toml) that publish uses too. A no-op takes a fraction of a second.
build-%: install
	$(PRODUCER) build --if-stale $(SHOW)/$*

check-%: build-%
	$(PRODUCER) check $(SHOW)/$*

publish-%: build-%
	$(PRODUCER) publish $(SHOW)/$*

clean:
	rm -rf $(SHOW)/*/dist $(SHOW)/public
