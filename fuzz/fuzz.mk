# Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
# fuzz/fuzz.mk: builds the libFuzzer targets with clang, AddressSanitizer
# and UBSan.  "make fuzz" in the build directory runs this GNU makefile
# and passes the variables below; automake never reads it, so nothing
# but "make fuzz" needs clang.
#
# The library is compiled again from its sources with clang: the fuzzer
# needs its coverage instrumentation (-fsanitize=fuzzer-no-link) in the
# code under test, which the gcc-built libmcpoauth.a does not have.

srcdir ?= .
FUZZ_CC ?= clang
FUZZ_AR ?= ar
FUZZ_OUT ?= fuzz/out
TARGETS ?= form cookie http httpauth base64 redirect scope client json \
	mcp schema config record template jose uritmpl reqstate
LIB_SOURCES ?= $(wildcard $(srcdir)/src/lib/*.c)
DEP_CFLAGS ?=
DEP_LIBS ?= -lfcgi -ljson-c -lcrypto -llmdb -lm

SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_CPPFLAGS = -D_DEFAULT_SOURCE -D_XOPEN_SOURCE=700 \
	-DPACKAGE_VERSION='"fuzz"' -I$(srcdir)/src/lib
FUZZ_CFLAGS = -std=c11 -g -O1 -fno-omit-frame-pointer -Wall -Wextra \
	-MMD -MP $(SAN)

LIB_C = $(patsubst $(srcdir)/%,%,$(filter %.c,$(LIB_SOURCES)))
LIB_O = $(LIB_C:src/lib/%.c=$(FUZZ_OUT)/obj/lib/%.o)
TOOL_O = $(FUZZ_OUT)/obj/tools/whoami.o
LIB_A = $(FUZZ_OUT)/obj/libmcpoauth-fuzz.a
BINS = $(TARGETS:%=$(FUZZ_OUT)/%)

all: check-cc $(BINS)
	@echo "fuzz: built $(TARGETS) in $(FUZZ_OUT)/; run $(srcdir)/fuzz/run"

# A clear message when clang or its fuzzer runtime is missing.
check-cc:
	@mkdir -p $(FUZZ_OUT)
	@command -v $(FUZZ_CC) >/dev/null 2>&1 || { echo "make fuzz:" \
	    "$(FUZZ_CC) not found (Debian: apt-get install clang" \
	    "libclang-rt-14-dev, or make fuzz FUZZ_CC=clang-NN)" >&2; \
	    exit 1; }
	@printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return 0; }\n' | \
	    $(FUZZ_CC) -fsanitize=fuzzer,address,undefined -x c - \
	    -o $(FUZZ_OUT)/.cc-test >/dev/null 2>&1 || { echo "make fuzz:" \
	    "$(FUZZ_CC) cannot build a libFuzzer program (Debian:" \
	    "apt-get install libclang-rt-14-dev)" >&2; exit 1; }
	@rm -f $(FUZZ_OUT)/.cc-test

$(FUZZ_OUT)/obj/lib/%.o: $(srcdir)/src/lib/%.c | check-cc
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(DEP_CFLAGS) $(FUZZ_CFLAGS) \
	    -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_OUT)/obj/tools/%.o: $(srcdir)/src/tools/%.c | check-cc
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(DEP_CFLAGS) $(FUZZ_CFLAGS) \
	    -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_OUT)/obj/target/%.o: $(srcdir)/fuzz/%.c | check-cc
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CPPFLAGS) $(DEP_CFLAGS) $(FUZZ_CFLAGS) \
	    -fsanitize=fuzzer -c -o $@ $<

$(LIB_A): $(LIB_O) $(TOOL_O)
	@rm -f $@
	$(FUZZ_AR) cr $@ $(LIB_O) $(TOOL_O)

$(FUZZ_OUT)/%: $(FUZZ_OUT)/obj/target/%.o $(LIB_A)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(LIB_A) \
	    $(DEP_LIBS)

clean:
	rm -rf $(FUZZ_OUT)/obj $(BINS)

.PHONY: all check-cc clean
# Keep the objects of the targets for the next incremental build.
.SECONDARY:
.SUFFIXES:

-include $(LIB_O:.o=.d) $(TOOL_O:.o=.d) \
	$(TARGETS:%=$(FUZZ_OUT)/obj/target/%.d)
