# dodo: doit's task runner, with the engine in C.
# make            build build/dodo
# make check      unit tests, then the end-to-end and differential suites
# make SAN=1 ...  the same with AddressSanitizer and UBSan (into build/san)
# make bench      benchmarks against ninja, make, tup, SCons and doit
# make bench-auto dodo auto's restart latency against doit's auto (also in make bench)

PREFIX  ?= /usr/local
DESTDIR ?=
PKG_CONFIG ?= pkg-config
PYTHON_DEPS = python3-embed
ENGINE_DEPS = sqlite3 libxxhash

CC      ?= cc
CFLAGS  ?= -O2 -g
WARN    = -std=c11 -Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
          -Wno-unused-parameter
ifdef WERROR
WARN   += -Werror
endif

BUILD   = build
ifdef SAN
BUILD   = build/san
CFLAGS  = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

ENGINE_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(ENGINE_DEPS))
ENGINE_LIBS   := $(shell $(PKG_CONFIG) --libs $(ENGINE_DEPS))
PY_CFLAGS     := $(shell $(PKG_CONFIG) --cflags $(PYTHON_DEPS))
PY_LIBS       := $(shell $(PKG_CONFIG) --libs $(PYTHON_DEPS))
# where the embedded version's python3 is installed: sys.executable outside a virtualenv
PY_EXEC_PREFIX := $(shell $(PKG_CONFIG) --variable=exec_prefix $(PYTHON_DEPS))
PY_CFLAGS     += $(if $(PY_EXEC_PREFIX),-DDODO_PY_BINDIR='"$(PY_EXEC_PREFIX)/bin"')

ALL_CFLAGS = $(WARN) -D_GNU_SOURCE -pthread $(CFLAGS) -Isrc -I$(BUILD)/gen $(ENGINE_CFLAGS)

ENGINE_SRC = $(filter-out src/main.c,$(wildcard src/*.c))
ENGINE_OBJ = $(ENGINE_SRC:src/%.c=$(BUILD)/obj/%.o)
PY_SRC     = $(wildcard src/py/*.c)
PY_OBJ     = $(PY_SRC:src/py/%.c=$(BUILD)/obj/py/%.o) $(BUILD)/obj/py/embedded.o
PY_FILES   = $(shell find src/py -name '*.py' | sort)
UNIT_SRC   = $(wildcard tests/unit/test_*.c)
UNIT_BIN   = $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)

all: $(BUILD)/dodo

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/py/%.o: src/py/%.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(PY_CFLAGS) -MMD -MP -c -o $@ $<

$(BUILD)/obj/py/embedded.o: $(BUILD)/gen/embedded.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/embedpy: tools/embedpy.c
	@mkdir -p $(dir $@)
	$(CC) $(WARN) -O1 -o $@ $<

$(BUILD)/gen/embedded.c: $(BUILD)/embedpy $(PY_FILES)
	@mkdir -p $(dir $@)
	$(BUILD)/embedpy src/py $(PY_FILES) > $@.tmp && mv $@.tmp $@

$(BUILD)/libdodo.a: $(ENGINE_OBJ)
	rm -f $@
	ar rcs $@ $^

$(BUILD)/dodo: $(BUILD)/obj/main.o $(PY_OBJ) $(BUILD)/libdodo.a
	$(CC) $(LDFLAGS) -pthread -o $@ $^ $(PY_LIBS) $(ENGINE_LIBS) -lm

$(BUILD)/tests/%: tests/unit/%.c tests/unit/unit.h $(BUILD)/libdodo.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -pthread -o $@ $< $(BUILD)/libdodo.a $(ENGINE_LIBS) -lm

unit: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do $$t; done

check: all unit
	DODO_BIN=$(CURDIR)/$(BUILD)/dodo /usr/bin/python3 -m pytest -q tests

install: $(BUILD)/dodo
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/dodo $(DESTDIR)$(PREFIX)/bin/dodo

bench: all
	bench/run
	bench/auto_latency

# dodo auto: from saving a file to the restarted server answering, against doit's auto
bench-auto: all
	bench/auto_latency

clean:
	rm -rf build

.PHONY: all unit check install bench bench-auto clean
-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
