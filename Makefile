# The two commands of the README: `make run` and `make test`. Everything else is a helper.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
CMAKE_GEN  := -G Ninja

.PHONY: all deps build run test test-fast test-asan asan fuzz bench clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@cmake --build $(BUILD)

run: build
	./$(BUILD)/sawlog server

asan: deps
	@cmake -S . -B $(ASAN_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DSAWLOG_SANITIZE=ON >/dev/null
	@cmake --build $(ASAN_BUILD)

# Every test, twice: the release build, then the same suites under ASan+UBSan.
test: build asan
	@echo "== tests: release build"
	ctest --test-dir $(BUILD) --output-on-failure -j2
	@echo "== tests: AddressSanitizer + UndefinedBehaviorSanitizer build"
	ctest --test-dir $(ASAN_BUILD) --output-on-failure -j2

test-fast: build
	ctest --test-dir $(BUILD) --output-on-failure -j2

# libFuzzer targets, built with clang; run one with e.g. ./build-fuzz/fuzz/fuzz_ndjson fuzz/corpus/ndjson
fuzz: deps
	@CXX=clang++ cmake -S . -B $(FUZZ_BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSAWLOG_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD)

bench: build
	./$(BUILD)/bench/parsers
	bench/ingest.sh
	bench/search.sh
	/usr/bin/python3 bench/steady.py
	/usr/bin/python3 bench/http_receivers.py

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
