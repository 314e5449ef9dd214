# pam_sspr: the PAM module, the daemon, their tests.  GNU make, pkg-config.
#
#   make            build into $(BUILD)/
#   make check      install missing Debian packages (as root), build, run
#                   every test (unit, PAM, integration)
#   make check-asan the same tests with ASan+UBSan builds
#   make fuzz       libFuzzer targets, FUZZ_TIME seconds each (default 60)
#   make demo       a throwaway directory + mail catcher + daemon + login
#   make bench      the benchmark (bench/run.sh; not part of check)
#   make install    DESTDIR=... PREFIX=/usr
#   make update-po  refresh po/pam_sspr.pot and merge it into po/*.po

VERSION    := 0.1.0
PKG_CONFIG ?= pkg-config
BUILD      ?= build
CC         ?= cc
CFLAGS     ?= -O2 -g
WARN       := -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wstrict-prototypes \
              -Wmissing-prototypes -Wvla -Wundef -Wno-format-nonliteral
HARDEN     := -fstack-protector-strong -fstack-clash-protection -fPIC
ifeq ($(findstring -O0,$(CFLAGS)),)
HARDEN     += -D_FORTIFY_SOURCE=2
endif
CPPFLAGS   += -D_GNU_SOURCE -Iproto -DSSPR_VERSION='"$(VERSION)"' -MMD -MP
LDHARDEN   := -Wl,-z,relro,-z,now
# An ASan-built module gets its runtime from the program that loads it.
NO_UNDEFINED ?= -Wl,--no-undefined

PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
DATADIR    ?= $(PREFIX)/share
MANDIR     ?= $(DATADIR)/man
LOCALEDIR  ?= $(DATADIR)/locale
SYSCONFDIR ?= /etc
LIBDIR     ?= $(PREFIX)/lib
# Debian's multiarch triplet (x86_64-linux-gnu): PAM modules go to
# $(LIBDIR)/$(MULTIARCH)/security, where libpam looks for them.
ifndef MULTIARCH
MULTIARCH  := $(shell dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || \
                $(CC) -print-multiarch 2>/dev/null)
endif
SECUREDIR  ?= $(LIBDIR)/$(if $(MULTIARCH),$(MULTIARCH)/)security
UNITDIR    ?= $(LIBDIR)/systemd/system

PAM_CFLAGS := $(shell $(PKG_CONFIG) --cflags pam 2>/dev/null)
PAM_LIBS   := $(shell $(PKG_CONFIG) --libs pam 2>/dev/null)
D_CFLAGS   := $(shell $(PKG_CONFIG) --cflags ldap libcurl libssl libcrypto pwquality libqrencode 2>/dev/null)
# cracklib has no .pc file; dict.c calls it directly (libcrack2-dev).
D_LIBS     := $(shell $(PKG_CONFIG) --libs ldap lber libcurl libssl libcrypto pwquality libqrencode 2>/dev/null) -lcrack -pthread
CMOCKA_LIBS := $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)
# Only test_totp links liboath: a second implementation to check ours against.
OATH_CFLAGS := $(shell $(PKG_CONFIG) --cflags liboath 2>/dev/null)
OATH_LIBS  := $(shell $(PKG_CONFIG) --libs liboath 2>/dev/null)

ALL_CFLAGS  = $(WARN) $(HARDEN) $(CFLAGS)

PROTO_SRC  := proto/wire.c proto/msg.c proto/frame.c proto/secret.c proto/peer.c
MOD_SRC    := pam_sspr/pam_sspr.c pam_sspr/args.c pam_sspr/conv.c \
              pam_sspr/client.c pam_sspr/text.c pam_sspr/session.c \
              pam_sspr/recover.c pam_sspr/change.c pam_sspr/register.c \
              pam_sspr/hostcache.c
# The configuration: ssprctl and the test programs link it alone.
CFG_SRC    := sspr-helperd/cfg.c sspr-helperd/cfgkeys.c sspr-helperd/cfgparse.c \
              sspr-helperd/cfgcheck.c sspr-helperd/cfgfiles.c sspr-helperd/where.c \
              sspr-helperd/sshkey.c
D_SRC      := sspr-helperd/main.c sspr-helperd/server.c sspr-helperd/flow.c \
              sspr-helperd/work.c sspr-helperd/jobs.c sspr-helperd/reset.c \
              sspr-helperd/reset_work.c sspr-helperd/register_work.c \
              sspr-helperd/account.c sspr-helperd/human.c sspr-helperd/humancheck.c \
              $(CFG_SRC) sspr-helperd/log.c sspr-helperd/code.c \
              sspr-helperd/addr.c sspr-helperd/mail.c sspr-helperd/ldapconn.c \
              sspr-helperd/dir.c sspr-helperd/dir_store.c \
              sspr-helperd/dir_report.c sspr-helperd/dir_backend.c \
              sspr-helperd/dir_openldap.c sspr-helperd/dir_ad.c \
              sspr-helperd/dir_389.c \
              sspr-helperd/pool.c \
              sspr-helperd/latest.c sspr-helperd/timer.c sspr-helperd/throttle.c \
              sspr-helperd/state.c sspr-helperd/quality.c sspr-helperd/dict.c \
              sspr-helperd/audit.c sspr-helperd/auditread.c sspr-helperd/admin.c \
              sspr-helperd/admin_work.c \
              sspr-helperd/totp.c sspr-helperd/sms.c sspr-helperd/answers.c \
              sspr-helperd/qr.c sspr-helperd/keys.c sspr-helperd/register.c \
              sspr-helperd/codekit.c sspr-helperd/method.c sspr-helperd/curlx.c \
              sspr-helperd/method_email.c sspr-helperd/method_totp.c \
              sspr-helperd/method_sms.c sspr-helperd/method_questions.c \
              sspr-helperd/method_pass.c sspr-helperd/method_rcodes.c \
              sspr-helperd/method_sshkey.c \
              sspr-helperd/dir_probe.c sspr-helperd/preflight.c \
              sspr-helperd/register_where.c sspr-helperd/pass.c sspr-helperd/rcodes.c \
              sspr-helperd/kdf.c sspr-helperd/localacct.c \
              sspr-helperd/fleet.c sspr-helperd/fleettls.c sspr-helperd/fleet_server.c \
              sspr-helperd/relay.c sspr-helperd/relay_loop.c
D_LIB_SRC  := $(filter-out sspr-helperd/main.c,$(D_SRC))
KIOSK_SRC  := sspr-reset/sspr-reset.c

# Translations (gettext domain pam_sspr): the module, the kiosk program.
POT_SRC    := pam_sspr/pam_sspr.c pam_sspr/text.c pam_sspr/session.c pam_sspr/conv.c \
              pam_sspr/recover.c pam_sspr/change.c pam_sspr/register.c \
              $(KIOSK_SRC)
LINGUAS    := $(sort $(basename $(notdir $(wildcard po/*.po))))
MO         := $(foreach l,$(LINGUAS),$(BUILD)/locale/$(l)/LC_MESSAGES/pam_sspr.mo)
MAN        := man/pam_sspr.8 man/sspr-helperd.8 man/sspr-helperd.conf.5 \
              man/sspr-reset.1 man/ssprctl.8

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

PROTO_OBJ  := $(call obj,$(PROTO_SRC))
MOD_OBJ    := $(call obj,$(MOD_SRC))
KIOSK_OBJ  := $(call obj,$(KIOSK_SRC))
D_OBJ      := $(call obj,$(D_SRC))
D_LIB_OBJ  := $(call obj,$(D_LIB_SRC))

# Each fuzz target also runs its corpus once as a unit test (replay.c).
ASAN_CFLAGS  := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
                -fno-sanitize-recover=all
FUZZ_TARGETS := msg frame cfg mail flow flowjobs
FUZZ_REPLAY  := $(addprefix test_fuzz_,$(FUZZ_TARGETS))
FUZZ_BUILD   ?= build-fuzz
FUZZ_TIME    ?= 60
FUZZ_MERGE   ?=
FUZZ_CFLAGS  := -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=all \
                -fsanitize=fuzzer-no-link,address,undefined

UNIT_TESTS := test_wire test_cfg test_code test_addr test_mail test_args \
              test_ad test_totp test_answers test_sms test_qr test_dict test_log \
              test_state test_flow test_jobs test_flowjobs test_curlx \
              test_where test_pass test_rcodes test_fleet test_sshkey test_auditread test_audit \
              $(FUZZ_REPLAY)
UNIT_BIN   := $(addprefix $(BUILD)/tests/,$(UNIT_TESTS))
TOOLS      := $(BUILD)/tests/pamdrive $(BUILD)/tests/rawclient $(BUILD)/tests/sms_send \
              $(BUILD)/tests/chaos $(BUILD)/tests/flood
# What the tests need beyond `all` (relative to the build directory).
TEST_BIN    = tests/pamdrive tests/rawclient tests/chaos tests/sms_send tests/flood \
              l10n/pam_sspr.so l10n/sspr-reset \
              $(addprefix tests/,$(UNIT_TESTS))
BENCH_BIN  := $(BUILD)/bench/baseload $(BUILD)/bench/flowload $(BUILD)/bench/pamload

Q := $(if $(V),,@)

.SECONDARY:

.PHONY: all check check-unit check-asan check-integration demo bench install clean deps \
        update-po fuzz fuzz-chaos fuzz-seeds

all: $(BUILD)/pam_sspr.so $(BUILD)/sspr-helperd $(BUILD)/sspr-reset $(BUILD)/ssprctl $(MO)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(PAM_CFLAGS) $(D_CFLAGS) -Ipam_sspr -Isspr-helperd \
	    $(EXTRA_CFLAGS) -DLOCALEDIR='"$(LOCALEDIR)"' -c -o $@ $<

# libpam loads every module of a stack for each handle (pam_start) with
# RTLD_NOW, so each symbol the module imports costs every login, sudo and
# su a lookup (650 instructions and more; BENCHMARKS.md, "Loading the
# module"): the module's code shares imports where one function does
# (fstatat for stat, lstat and fstat; poll to sleep; pam_vprompt), and it
# is linked without the C start files, whose frame_dummy, TM-clone and
# gprof hooks a C module without constructors does not use and whose weak
# imports are the dearest lookups of all (they fail, after every object).
# (Without them there is no __dso_handle: an atexit() in the module, which
# would run after the module is gone, fails to link.)
MOD_LDFLAGS := -nostartfiles

$(BUILD)/pam_sspr.so: $(MOD_OBJ) $(PROTO_OBJ) pam_sspr/pam_sspr.map
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -shared $(ALL_CFLAGS) -Wl,--version-script=pam_sspr/pam_sspr.map \
	    $(MOD_LDFLAGS) $(NO_UNDEFINED) $(LDHARDEN) $(LDFLAGS) -o $@ \
	    $(MOD_OBJ) $(PROTO_OBJ) $(PAM_LIBS)

$(BUILD)/sspr-helperd: $(D_OBJ) $(PROTO_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -pie $(ALL_CFLAGS) $(LDHARDEN) $(LDFLAGS) -o $@ $^ $(D_LIBS)

$(BUILD)/ssprctl: $(BUILD)/obj/ssprctl/ssprctl.o $(BUILD)/obj/ssprctl/passcmd.o \
    $(BUILD)/obj/ssprctl/remote.o $(call obj,$(CFG_SRC)) \
    $(BUILD)/obj/sspr-helperd/addr.o $(BUILD)/obj/sspr-helperd/pass.o \
    $(BUILD)/obj/sspr-helperd/kdf.o $(BUILD)/obj/sspr-helperd/fleettls.o \
    $(BUILD)/obj/sspr-helperd/auditread.o \
    $(PROTO_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -pie $(ALL_CFLAGS) $(LDHARDEN) $(LDFLAGS) -o $@ $^ \
	    $(shell $(PKG_CONFIG) --libs ldap lber libssl libcrypto 2>/dev/null)

$(BUILD)/sspr-reset: $(KIOSK_OBJ) $(PROTO_OBJ)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) -pie $(ALL_CFLAGS) $(LDHARDEN) $(LDFLAGS) -o $@ $^ $(PAM_LIBS)

$(BUILD)/locale/%/LC_MESSAGES/pam_sspr.mo: po/%.po
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MSGFMT  $<")
	$(Q)msgfmt --check -o $@ $<

# Test copies of the module and the kiosk program that read their
# translations from $(BUILD)/locale, so tests need not install them.  They
# differ from the real ones only in the object that holds LOCALEDIR; the
# installed programs read $(LOCALEDIR) and nothing else (a module must not
# take a path from its host program's environment).
$(BUILD)/l10n/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(PAM_CFLAGS) -Ipam_sspr \
	    -DLOCALEDIR='"$(abspath $(BUILD))/locale"' -c -o $@ $<

$(BUILD)/l10n/pam_sspr.so: $(filter-out %/text.o,$(MOD_OBJ)) \
    $(BUILD)/l10n/obj/pam_sspr/text.o $(PROTO_OBJ) pam_sspr/pam_sspr.map $(MO)
	$(Q)$(CC) -shared $(ALL_CFLAGS) -Wl,--version-script=pam_sspr/pam_sspr.map \
	    $(MOD_LDFLAGS) $(NO_UNDEFINED) $(LDHARDEN) $(LDFLAGS) -o $@ \
	    $(filter %.o,$^) $(PAM_LIBS)

$(BUILD)/l10n/sspr-reset: $(BUILD)/l10n/obj/sspr-reset/sspr-reset.o $(PROTO_OBJ) $(MO)
	$(Q)$(CC) -pie $(ALL_CFLAGS) $(LDHARDEN) $(LDFLAGS) -o $@ $(filter %.o,$^) $(PAM_LIBS)

# The engine and its families with the test as connection and pools:
# everything but work.o (the test's fake) and the loop (server.o,
# relay_loop.o).
$(BUILD)/obj/tests/unit/test_flow.o $(BUILD)/obj/tests/fuzz/fuzz_flow.o: \
    EXTRA_CFLAGS := -Itests/flowfake
FLOW_FAKE_OBJ := $(BUILD)/obj/tests/flowfake/flowfake.o \
    $(BUILD)/obj/tests/flowfake/flowfake_work.o \
    $(filter-out %/work.o %/server.o %/relay_loop.o,$(D_LIB_OBJ)) $(PROTO_OBJ)
# The same engine on the real work layer and the directory fake, the
# test running the pools: everything but pool.o and the loop.
$(BUILD)/obj/tests/unit/test_flowjobs.o $(BUILD)/obj/tests/flowfake/%.o: \
    EXTRA_CFLAGS := -Itests/flowfake -Itests/dirfake
FLOW_REAL_OBJ := $(BUILD)/obj/tests/flowfake/flowfake.o \
    $(BUILD)/obj/tests/flowfake/flowreal.o \
    $(BUILD)/obj/tests/dirfake/dir_fake.o \
    $(filter-out %/pool.o %/server.o %/relay_loop.o,$(D_LIB_OBJ)) $(PROTO_OBJ)
$(BUILD)/tests/test_flowjobs: $(BUILD)/obj/tests/unit/test_flowjobs.o \
    $(FLOW_REAL_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(D_LIBS) $(CMOCKA_LIBS)
$(BUILD)/obj/tests/fuzz/fuzz_flowjobs.o: \
    EXTRA_CFLAGS := -Itests/flowfake -Itests/dirfake
$(BUILD)/tests/test_fuzz_flowjobs: $(BUILD)/obj/tests/fuzz/fuzz_flowjobs.o \
    $(BUILD)/obj/tests/fuzz/replay.o $(FLOW_REAL_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(D_LIBS)
$(BUILD)/fuzz/fuzz_flowjobs: $(BUILD)/obj/tests/fuzz/fuzz_flowjobs.o \
    $(FLOW_REAL_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(D_LIBS)
$(BUILD)/tests/test_flow: $(BUILD)/obj/tests/unit/test_flow.o $(FLOW_FAKE_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(D_LIBS) $(CMOCKA_LIBS)
$(BUILD)/tests/test_fuzz_flow: $(BUILD)/obj/tests/fuzz/fuzz_flow.o \
    $(BUILD)/obj/tests/fuzz/replay.o $(FLOW_FAKE_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(D_LIBS)
$(BUILD)/fuzz/fuzz_flow: $(BUILD)/obj/tests/fuzz/fuzz_flow.o $(FLOW_FAKE_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(D_LIBS)

# The jobs on the directory fake (tests/dirfake), no pools, no servers.
$(BUILD)/obj/tests/unit/test_jobs.o $(BUILD)/obj/tests/dirfake/dir_fake.o: \
    EXTRA_CFLAGS := -Itests/dirfake
$(BUILD)/tests/test_jobs: $(BUILD)/obj/tests/unit/test_jobs.o \
    $(BUILD)/obj/tests/dirfake/dir_fake.o $(D_LIB_OBJ) $(PROTO_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(D_LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/test_%: $(BUILD)/obj/tests/unit/test_%.o $(D_LIB_OBJ) $(PROTO_OBJ) \
    $(BUILD)/obj/pam_sspr/args.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(D_LIBS) $(CMOCKA_LIBS) $(EXTRA_LIBS)

$(BUILD)/obj/tests/unit/test_totp.o: EXTRA_CFLAGS := $(OATH_CFLAGS)
$(BUILD)/tests/test_totp: EXTRA_LIBS := $(OATH_LIBS)

# A fuzz target with a main() that replays its corpus: a plain unit test.
$(BUILD)/tests/test_fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o \
    $(BUILD)/obj/tests/fuzz/replay.o $(D_LIB_OBJ) $(PROTO_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(D_LIBS)

# The same target linked with libFuzzer (objects built by `make fuzz`).
$(BUILD)/fuzz/fuzz_%: $(BUILD)/obj/tests/fuzz/fuzz_%.o $(D_LIB_OBJ) $(PROTO_OBJ)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $^ $(D_LIBS)

$(BUILD)/tests/seeds: $(BUILD)/obj/tests/fuzz/seeds.o $(PROTO_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/pamdrive: $(BUILD)/obj/tests/pam/pamdrive.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PAM_LIBS)

$(BUILD)/tests/rawclient: $(BUILD)/obj/tests/pam/rawclient.o $(PROTO_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^

$(BUILD)/tests/chaos: $(BUILD)/obj/tests/pam/chaos.o $(PROTO_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^

# Connects and closes in a loop, as a refused caller might (t_peer).
$(BUILD)/tests/flood: $(BUILD)/obj/tests/pam/flood.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^

# Loads a configuration and sends one SMS through sms.c (t_sms).
$(BUILD)/tests/sms_send: $(BUILD)/obj/tests/sms_send.o $(BUILD)/obj/sspr-helperd/sms.o \
    $(BUILD)/obj/sspr-helperd/curlx.o \
    $(call obj,$(CFG_SRC)) $(BUILD)/obj/sspr-helperd/addr.o $(PROTO_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(D_LIBS)

$(BUILD)/bench/baseload: $(BUILD)/obj/bench/baseload.o $(BUILD)/obj/bench/stats.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(D_LIBS) \
	    $(shell $(PKG_CONFIG) --libs libssl 2>/dev/null)

$(BUILD)/bench/flowload: $(BUILD)/obj/bench/flowload.o $(BUILD)/obj/bench/stats.o $(PROTO_OBJ)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ -pthread

$(BUILD)/bench/pamload: $(BUILD)/obj/bench/pamload.o $(BUILD)/obj/bench/stats.o
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(PAM_LIBS) -pthread

deps:
	@tests/lib/deps.sh

check: deps
	$(MAKE) all $(addprefix $(BUILD)/,$(TEST_BIN))
	tests/run.sh $(BUILD)

check-unit: all $(UNIT_BIN)
	tests/run.sh --unit $(BUILD)

check-asan: deps
	$(MAKE) BUILD=build-asan CC=clang NO_UNDEFINED= CFLAGS="$(ASAN_CFLAGS)" \
	    LDFLAGS="-fsanitize=address,undefined" all $(addprefix build-asan/,$(TEST_BIN))
	SSPR_ASAN=1 tests/run.sh build-asan

# Fuzzes each target for FUZZ_TIME seconds.  New inputs go to a working
# corpus under $(FUZZ_BUILD)/fuzz/, never into the source tree unless
# FUZZ_MERGE=1 asks to merge the ones that add coverage.
fuzz: deps
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang NO_UNDEFINED= CFLAGS="$(FUZZ_CFLAGS)" \
	    LDFLAGS="-fsanitize=address,undefined" \
	    $(addprefix $(FUZZ_BUILD)/fuzz/fuzz_,$(FUZZ_TARGETS))
	FUZZ_MERGE=$(FUZZ_MERGE) tests/fuzz/fuzz.sh $(FUZZ_BUILD) $(FUZZ_TIME) \
	    $(FUZZ_TARGETS)
	$(MAKE) fuzz-chaos

# Socket chaos against the ASan+UBSan daemon for FUZZ_TIME seconds: random
# walks of messages and socket faults (tests/pam/chaos, t_chaos), a new
# seed each run (printed, for replay with CHAOS_SEED=).
fuzz-chaos: deps
	$(MAKE) BUILD=build-asan CC=clang NO_UNDEFINED= \
	    CFLAGS="$(ASAN_CFLAGS)" LDFLAGS="-fsanitize=address,undefined" \
	    all build-asan/tests/rawclient build-asan/tests/chaos
	SSPR_ASAN=1 CHAOS_SECONDS=$(FUZZ_TIME) SSPR_TESTS=tests/integration/t_chaos.sh \
	    tests/run.sh build-asan

# Rewrites the generated protocol seeds (after a protocol change).
fuzz-seeds: $(BUILD)/tests/seeds
	$(BUILD)/tests/seeds tests/fuzz/corpus/msg tests/fuzz/corpus/frame

# Real slapd, SMTP sink and daemon on loopback; a few minutes.  Never
# part of check: its figures depend on the machine and its load.
bench: deps
	$(MAKE) all $(BENCH_BIN)
	bench/run.sh $(BUILD)

demo: deps all $(BUILD)/tests/pamdrive
	tests/demo/demo.sh $(BUILD)

# Into $(DESTDIR)$(PREFIX)/... and $(DESTDIR)$(SYSCONFDIR)/...; files keep
# the owner of whoever runs it (root, for a real install).  Nothing is
# enabled: see README (pam-auth-update --enable sspr, systemctl enable).
install: all
	install -d $(DESTDIR)$(SECUREDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR)
	install -m 0644 $(BUILD)/pam_sspr.so $(DESTDIR)$(SECUREDIR)/pam_sspr.so
	install -m 0755 $(BUILD)/sspr-helperd $(DESTDIR)$(SBINDIR)/sspr-helperd
	install -m 0755 $(BUILD)/sspr-reset $(DESTDIR)$(BINDIR)/sspr-reset
	install -m 0755 $(BUILD)/ssprctl $(DESTDIR)$(SBINDIR)/ssprctl
	install -d $(DESTDIR)$(SYSCONFDIR)/sspr/mail $(DESTDIR)$(SYSCONFDIR)/pam.d
	install -m 0640 conf/sspr-helperd.conf $(DESTDIR)$(SYSCONFDIR)/sspr/sspr-helperd.conf
	install -m 0644 conf/mail/*.txt $(DESTDIR)$(SYSCONFDIR)/sspr/mail/
	install -m 0644 conf/pam.d/sspr $(DESTDIR)$(SYSCONFDIR)/pam.d/sspr
	install -m 0644 conf/pam.d/sspr-sss $(DESTDIR)$(SYSCONFDIR)/pam.d/sspr-sss
	install -d $(DESTDIR)$(DATADIR)/pam-configs $(DESTDIR)$(UNITDIR)
	install -m 0644 conf/pam-configs/sspr $(DESTDIR)$(DATADIR)/pam-configs/sspr
	sed -e 's|/usr/sbin/sspr-helperd|$(SBINDIR)/sspr-helperd|' \
	    -e 's|/etc/sspr/|$(SYSCONFDIR)/sspr/|g' conf/systemd/sspr-helperd.service \
	    > $(DESTDIR)$(UNITDIR)/sspr-helperd.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/sspr-helperd.service
	install -m 0644 conf/systemd/sspr-helperd.socket $(DESTDIR)$(UNITDIR)/
	install -d $(DESTDIR)$(LIBDIR)/sysusers.d
	install -m 0644 conf/sysusers.d/sspr.conf $(DESTDIR)$(LIBDIR)/sysusers.d/sspr.conf
	for l in $(LINGUAS); do \
	    install -d $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES && \
	    install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/pam_sspr.mo \
	        $(DESTDIR)$(LOCALEDIR)/$$l/LC_MESSAGES/pam_sspr.mo || exit 1; \
	done
	for m in $(MAN); do \
	    s=$${m##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s && \
	    install -m 0644 $$m $(DESTDIR)$(MANDIR)/man$$s/ || exit 1; \
	done
	install -d $(DESTDIR)$(DATADIR)/doc/pam-sspr/examples/pam.d
	install -m 0644 conf/pam.d/* $(DESTDIR)$(DATADIR)/doc/pam-sspr/examples/pam.d/
	install -m 0644 conf/pam_sspr.conf $(DESTDIR)$(DATADIR)/doc/pam-sspr/examples/
	install -d $(DESTDIR)$(DATADIR)/doc/pam-sspr/examples/sshd_config.d
	install -m 0644 conf/sshd_config.d/sspr.conf \
	    $(DESTDIR)$(DATADIR)/doc/pam-sspr/examples/sshd_config.d/sspr.conf
	@# the module's settings are the admin's: never overwritten
	install -d $(DESTDIR)$(SYSCONFDIR)/security
	test -e $(DESTDIR)$(SYSCONFDIR)/security/pam_sspr.conf || \
	    install -m 0644 conf/pam_sspr.conf $(DESTDIR)$(SYSCONFDIR)/security/pam_sspr.conf
	if ls ldap-schema/* >/dev/null 2>&1; then \
	    install -d $(DESTDIR)$(DATADIR)/pam-sspr/ldap-schema && \
	    install -m 0644 ldap-schema/* $(DESTDIR)$(DATADIR)/pam-sspr/ldap-schema/; \
	fi
	@# The daemon's user, on a real install only: a staged tree (DESTDIR)
	@# gets it from its package's postinst, a non-root make cannot.
	@if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ]; then \
	    if command -v systemd-sysusers >/dev/null; then \
	        echo "systemd-sysusers $(LIBDIR)/sysusers.d/sspr.conf"; \
	        systemd-sysusers $(LIBDIR)/sysusers.d/sspr.conf || exit 1; \
	    else \
	        echo "no systemd-sysusers: create the user _sspr as" \
	            "$(LIBDIR)/sysusers.d/sspr.conf says (useradd --system" \
	            "--home-dir /nonexistent --shell /usr/sbin/nologin _sspr)"; \
	    fi; \
	fi

# The template every translation starts from, then merged into each one.
update-po:
	xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ \
	    --add-comments=TRANSLATORS: --package-name=pam_sspr \
	    --package-version=$(VERSION) --msgid-bugs-address= \
	    -o po/pam_sspr.pot $(POT_SRC)
	for l in $(LINGUAS); do msgmerge -q -U --backup=none po/$$l.po po/pam_sspr.pot || exit 1; done

clean:
	rm -rf build build-asan build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
