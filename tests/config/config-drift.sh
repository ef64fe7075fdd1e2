#!/bin/sh
# Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
# config-drift.sh: the configuration keys have one source of truth, the
# key table of src/lib/config.c; the manual page man/mcp-oauth.conf.5 and
# the sample etc/mcp-oauth.conf.sample must name the same keys, with the
# same defaults.  Run by "make check" (TAP output); any difference fails
# with a line naming the key.
#
# The manual page's forms (see the comment at its top): each key is an
# ".It Cm key" line under ".Sh KEYS", and its entry ends with "Default:"
# and a ".Ql value ." line, "Default: none...", "Required." or, for a
# default computed from elsewhere, "Default:" followed by words.  The
# sample's key lines are "key = value" or "#key = value" (no space after
# the "#"): commented lines show defaults, and only required keys may be
# set.  Defaults are compared by config.c's own parser (config-default),
# so "1h" and "3600" are the same.

LC_ALL=C
export LC_ALL
srcdir=${srcdir:-.}
helper=${CONFIG_DEFAULT:-./tests/config/config-default}
config_c=$srcdir/src/lib/config.c
manpage=$srcdir/man/mcp-oauth.conf.5
sample=$srcdir/etc/mcp-oauth.conf.sample
# Defaults that depend on the build or on other keys: the manual page
# says so in words, and the sample may show any example.
computed="www_dir default_scopes cache_dir"

tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT

for f in "$config_c" "$manpage" "$sample"; do
	if [ ! -r "$f" ]; then
		echo "Bail out! cannot read $f"
		exit 99
	fi
done
if [ ! -x "$helper" ]; then
	echo "Bail out! $helper is not built"
	exit 99
fi

# The key table: the names of the entries of "keys[] = { ... };".
awk '
/^static const struct key keys\[\] = \{/ { in_table = 1; next }
in_table && /^\};/ { in_table = 0 }
in_table && match($0, /^[ \t]*\{ "[a-z_]+"/) {
	s = substr($0, RSTART, RLENGTH)
	sub(/^[ \t]*\{ "/, "", s)
	sub(/"$/, "", s)
	print s
}' "$config_c" | sort > "$tmp/code"

# The manual page: "key<TAB>default" for every key under KEYS, with the
# default "required", "none", "computed" or the literal value.
awk '
function flush(d,   i) {
	for (i = 1; i <= n; i++)
		print keys[i] "\t" d
	n = 0
}
/^\.Sh / { in_keys = ($2 == "KEYS"); next }
!in_keys { next }
/^\.It Cm [a-z_]+( |$)/ { keys[++n] = $3; next }
want_value {
	want_value = 0
	if ($0 ~ /^\.Ql /) {
		v = substr($0, 5)
		sub(/ [.,;]$/, "", v)
		flush(v)
	} else
		flush("computed")
	next
}
/^Default:$/ { want_value = 1; next }
/^Default: none/ { flush("none"); next }
/^Default: / { flush("computed"); next }
/^Required\.$/ { flush("required"); next }
END { for (i = 1; i <= n; i++) print keys[i] "\t(no default line)" }
' "$manpage" | sort > "$tmp/man"
cut -f1 "$tmp/man" | sort > "$tmp/man.keys"

# The sample: "key|value|commented" for every key line (a separator
# that is not blank, so that an empty value stays a field).
sed -n 's/^\(#\{0,1\}\)\([a-z][a-z_]*\)[ 	]*=[ 	]*\(.*\)$/\2|\3|\1/p' \
    "$sample" | sort > "$tmp/sample"
cut -d'|' -f1 "$tmp/sample" | sort > "$tmp/sample.keys"

n=0
fail=0
ok() {
	n=$((n + 1))
	echo "ok $n - $1"
}
not_ok() {
	n=$((n + 1))
	fail=1
	echo "not ok $n - $1"
}

if [ ! -s "$tmp/code" ]; then
	echo "Bail out! no key table found in $config_c"
	exit 99
fi

# The same names everywhere.
for where in man sample; do
	case $where in
	man)	file=$manpage ;;
	sample)	file=$sample ;;
	esac
	missing=$(comm -23 "$tmp/code" "$tmp/$where.keys" | tr '\n' ' ')
	extra=$(comm -13 "$tmp/code" "$tmp/$where.keys" | sort -u |
	    tr '\n' ' ')
	twice=$(uniq -d "$tmp/$where.keys" | tr '\n' ' ')
	if [ -z "$missing$extra$twice" ]; then
		ok "$file names every key of config.c, and no other"
	else
		not_ok "$file names the keys of config.c"
		[ -n "$missing" ] &&
		    echo "# $file: key(s) of config.c missing: $missing"
		[ -n "$extra" ] &&
		    echo "# $file: key(s) config.c does not know: $extra"
		[ -n "$twice" ] && echo "# $file: key(s) given twice: $twice"
	fi
done

# The same defaults: each key's default in the manual page and in the
# sample, checked against what config.c applies.
check() {
	# $1 key, $2 value, $3 where
	if out=$("$helper" "$1" "$2" 2>&1); then
		ok "$3: $1"
	else
		not_ok "$3: $1"
		echo "# $3: $out"
	fi
}
is_computed() {
	case " $computed " in
	*" $1 "*) return 0 ;;
	esac
	return 1
}

while read -r key; do
	check "$key" known "config.c"
done < "$tmp/code"

while IFS="$(printf '\t')" read -r key value; do
	grep -qx "$key" "$tmp/code" || continue
	case $value in
	computed)
		if is_computed "$key"; then
			ok "$manpage: $key (default computed)"
		else
			not_ok "$manpage: $key"
			echo "# $manpage: $key: the default is given in words;" \
			    "write it as \"Default:\" and a \".Ql value .\" line"
		fi ;;
	"(no default line)")
		not_ok "$manpage: $key"
		echo "# $manpage: $key: no Default: or Required. line" ;;
	*)
		check "$key" "$value" "$manpage" ;;
	esac
done < "$tmp/man"

while IFS='|' read -r key value commented; do
	grep -qx "$key" "$tmp/code" || continue
	mandef=$(awk -F '\t' -v k="$key" '$1 == k { print $2 }' "$tmp/man")
	if [ -z "$commented" ]; then
		# Set for real: only a required key may be.
		if [ "$mandef" = required ]; then
			ok "$sample: $key (required, set)"
		else
			not_ok "$sample: $key"
			echo "# $sample: $key is set; only required keys may" \
			    "be, the others show their default commented out"
		fi
	elif is_computed "$key"; then
		ok "$sample: $key (default computed)"
	elif [ -z "$value" ]; then
		check "$key" none "$sample"
	else
		check "$key" "$value" "$sample"
	fi
done < "$tmp/sample"

echo "1..$n"
exit $fail
