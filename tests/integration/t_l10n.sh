#!/bin/bash
# Language: every sentence of the module and of sspr-reset goes through
# gettext (domain pam_sspr) and po/nl.po translates all of them; a login
# in Dutch sees Dutch prompts through the real PAM stack and gets the
# Dutch mail; an untranslated language falls back to English; the lang=
# argument serves a host without a locale (sshd) and never changes the
# host program's own locale.
#
# The module under test is $BUILD/l10n/pam_sspr.so: the same objects as
# the real one except that its LOCALEDIR is $BUILD/locale (see Makefile).
. "$SRC/tests/lib/env.sh"
unset LANGUAGE LC_ALL LC_MESSAGES

# 1. The catalogue is complete for the sources as they are now.
(cd "$SRC" && xgettext --language=C --from-code=UTF-8 --keyword=_ --keyword=N_ \
	-o "$T/now.pot" pam_sspr/*.c sspr-reset/*.c) 2>"$T/xgettext.err"
ok $? "xgettext reads the sources"
n=$(grep -c '^msgid "' "$T/now.pot")
[ "$n" -gt 30 ]
ok $? "the sources have $n sentences for translators"
msgcmp "$SRC/po/nl.po" "$T/now.pot" >"$T/msgcmp.out" 2>&1
ok $? "po/nl.po translates every sentence in the sources" || sed 's/^/#   /' "$T/msgcmp.out" | head -n 20
msgcmp --use-untranslated "$SRC/po/pam_sspr.pot" "$T/now.pot" >"$T/msgcmp2.out" 2>&1
ok $? "po/pam_sspr.pot is up to date (make update-po)" || sed 's/^/#   /' "$T/msgcmp2.out" | head -n 20
stats=$(msgfmt --check --statistics -o /dev/null "$SRC/po/nl.po" 2>&1)
like "$stats" "^$((n - 1)) translated messages\.$" "nl.po: all translated, nothing fuzzy ($stats)"

# 2. A reset in Dutch, start to end.
locale_make nl_NL.UTF-8 || exit 1
locale_make de_DE.UTF-8 || exit 1
standard_env || exit 1
l10n_module_line() {
	module_line "$@" | sed "s|$BUILD/pam_sspr.so|$BUILD/l10n/pam_sspr.so|"
}
{ l10n_module_line '[helpdesk=Hulp nodig? Bel de servicedesk: 555-0100.]'; ldapcheck_line; } |
	pam_service sspr-nl

s=$(script nl <<EOF2
^Wachtwoord \(druk op Enter als u niet bij uw account kunt\): $ => 
^Kies 1 of 2 => 1
^Verificatiecode \(leeg om te annuleren\): $ => 00000000
^Verificatiecode => !$SRC/tests/lib/env-mailcode.sh $T alice@example.test 1
^Nieuw wachtwoord: $ => Nieuw-Wachtw00rd-1
^Nieuw wachtwoord nogmaals: $ => Nieuw-Wachtw00rd-1
EOF2
)
out=$(LANG=nl_NL.UTF-8 drive alice "$s" sspr-nl)
ok $? "the Dutch prompts come in the expected order"
like "$out" '\[info\] Kunt u niet bij uw account\? Met een code die naar uw herstel-e-mailadres' \
	"the reset path is explained in Dutch"
like "$out" '\[info\] Er is een verificatiecode verstuurd naar a\*\*\*@e\*\*\*\.test\. De code is 10 minuten geldig\.' \
	"masked destination and validity in Dutch"
like "$out" '\[error\] Die code klopt niet\. Resterende pogingen: 4\.' "a wrong code, in Dutch"
like "$out" '\[info\] Uw wachtwoord is gewijzigd\.' "success in Dutch"
like "$out" '\[info\] Meld u opnieuw aan met uw nieuwe wachtwoord\.' "what to do next, in Dutch"
unlike "$out" '(^|\] )(Password|Verification|A verification|That code|Your password|Log in)' \
	"no English sentence in the Dutch transcript"
like "$out" '^codeset UTF-8$' "pamdrive ran in nl_NL.UTF-8"
bind_ok "uid=alice,$PEOPLE" Nieuw-Wachtw00rd-1
ok $? "alice's new password binds"

m=$(ls "$T"/mail/*-alice@example.test.eml | head -n1)
mail=$(tr -d '\r' <"$m")
like "$mail" '^Subject: Uw code om uw wachtwoord opnieuw in te stellen$' "the mail's subject is Dutch"
like "$mail" 'De code is 10 minuten geldig en kan één keer worden gebruikt' \
	"the mail's body is Dutch, in UTF-8"
like "$mail" 'charset=UTF-8' "and says so"

# 3. When the person cannot go on: the reason in Dutch, then the helpdesk
# line exactly as the administrator wrote it.
{ module_line "socket=$T/run/nothing-here.sock" '[helpdesk=Hulp nodig? Bel de servicedesk: 555-0100.]' |
	sed "s|$BUILD/pam_sspr.so|$BUILD/l10n/pam_sspr.so|"; } | pam_service sspr-nl-down
s=$(script down <<'EOF2'
^Wachtwoord => 
EOF2
)
out=$(LANG=nl_NL.UTF-8 drive alice "$s" sspr-nl-down)
like "$out" '\[error\] Wachtwoordherstel is op dit moment niet beschikbaar\.' "service down: said in Dutch"
like "$out" '\[info\] Hulp nodig\? Bel de servicedesk: 555-0100\.' "then the helpdesk line"
like "$out" 'result: Authenticatieservice kan geen authenticatie-informatie ophalen' "PAM_AUTHINFO_UNAVAIL (libpam's own words, in Dutch too)"

# 4. A language without a translation: English prompts and mail.
s=$(script de <<EOF2
^Password \(press Enter => 
^Choose 1 or 2 => 1
^Verification code => 
EOF2
)
out=$(LANG=de_DE.UTF-8 drive frank "$s" sspr-nl)
ok $? "German login: the English prompts"
like "$out" '\[info\] Password reset cancelled\.' "in English throughout"
mail_code frank@example.test 1 >/dev/null
m=$(ls "$T"/mail/*-frank@example.test.eml | head -n1)
like "$(tr -d '\r' <"$m")" '^Subject: Your password reset code$' "and the English mail (no code.de.txt)"

# 5. lang= serves a host that runs in the C locale (sshd); the host's own
# locale is untouched afterwards.
{ l10n_module_line lang=nl_NL.UTF-8; ldapcheck_line; } | pam_service sspr-lang
s=$(script lang <<EOF2
^Wachtwoord \(druk op Enter => 
^Kies 1 of 2 => 1
^Verificatiecode => 
EOF2
)
out=$(LC_ALL=C drive grace "$s" sspr-lang)
ok $? "C locale + lang=nl_NL.UTF-8: Dutch prompts"
like "$out" '\[info\] Wachtwoordherstel geannuleerd\.' "Dutch to the end"
like "$out" '^codeset ANSI_X3\.4-1968$' "the host program is back in its own (C) locale"
mail_code grace@example.test 1 >/dev/null
m=$(ls "$T"/mail/*-grace@example.test.eml | head -n1)
like "$(tr -d '\r' <"$m")" '^Subject: Uw code' "the daemon was told the language: Dutch mail"

# 6. LANG in the PAM environment (put there by the application) wins over
# lang=; a LANG that could name a path is ignored.
s=$(script pamenv <<EOF2
^Password \(press Enter => 
^Choose 1 or 2 => 1
^Verification code => 
EOF2
)
out=$(LC_ALL=C DRIVE_PAMENV=LANG=de_DE.UTF-8 drive grace "$s" sspr-lang)
ok $? "PAM environment LANG=de_DE.UTF-8 wins over lang=nl_NL.UTF-8 (English: no German catalogue)"
s=$(script pamenv2 <<EOF2
^Wachtwoord \(druk op Enter => 
^Kies 1 of 2 => 1
^Verificatiecode => 
EOF2
)
out=$(LC_ALL=C DRIVE_PAMENV=LANG=../../../tmp/x drive grace "$s" sspr-lang)
ok $? "a LANG like ../../../tmp/x is ignored: lang= applies"

done_testing
