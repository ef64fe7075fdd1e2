#!/bin/sh
# Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
# tests/lint/secret-compare.sh: every comparison of a secret in src/
# takes the same time whatever the bytes, so that a token, a code, a
# client secret, a password hash or a CSRF token cannot be guessed one
# byte at a time from response times.  OpenSSL's CRYPTO_memcmp is the
# comparison that takes the same time for every input of a length.
#
# The check, run by "make check" and printing TAP:
#
#  1. crypto_equal() and crypto_str_equal(), the comparisons the code
#     uses for secrets, are built on CRYPTO_memcmp;
#  2. no memcmp, strcmp, strncmp, strcasecmp, strncasecmp or bcmp call
#     in src/ has an argument whose name says it holds a secret or its
#     hash (secret, hash, token, code, verifier, challenge, password,
#     csrf, cookie, digest, nonce, refresh, sig, mac, pw).  String
#     literals and comments are not looked at.
#
# A call that names such a variable and compares no secret goes in
# tests/lint/secret-compare.allow with a one-line reason.  A name is a
# heuristic: a secret in a variable called "p" escapes it, which is
# why the allowlist is reviewed and the wrappers are used by name.
#
#   tests/lint/secret-compare.sh [SRCDIR]
#
# SRCDIR is the top of the source tree: the argument, else $srcdir (set
# by make check), else the directory above this script's.
set -u

top=${1:-${srcdir:-$(dirname "$0")/../..}}
allow=$top/tests/lint/secret-compare.allow
fail=0

echo 1..2

# 1. The wrappers.
if awk '
	/^crypto_(str_)?equal\(/ { in_fn = $0; sub(/\(.*/, "", in_fn) }
	in_fn != "" && /CRYPTO_memcmp\(/ { seen[in_fn] = 1 }
	/^}/ { in_fn = "" }
	END { exit !(seen["crypto_equal"] && seen["crypto_str_equal"]) }
    ' "$top/src/lib/crypto.c"; then
	echo "ok 1 - crypto_equal and crypto_str_equal use CRYPTO_memcmp"
else
	echo "not ok 1 - crypto_equal and crypto_str_equal use CRYPTO_memcmp"
	fail=1
fi

# 2. Every comparison call in src/, one per line as FILE:LINE:CALL with
# the call's text squeezed of blanks, comments and string contents.
files=$(cd "$top" && find src -name '*.[ch]' | sort)
if [ -z "$files" ]; then
	echo "not ok 2 - no sources under $top/src"
	exit 1
fi
calls=$(cd "$top" && awk '
	# Blanks out comments and the contents of string and character
	# literals; in_comment carries a comment over to the next line.
	function strip(l,	out, i, n, c, q) {
		out = ""; n = length(l); i = 1
		while (i <= n) {
			c = substr(l, i, 1)
			if (in_comment) {
				if (substr(l, i, 2) == "*/") {
					in_comment = 0; i += 2
				} else
					i++
				out = out " "
			} else if (substr(l, i, 2) == "/*") {
				in_comment = 1; i += 2; out = out " "
			} else if (substr(l, i, 2) == "//") {
				break
			} else if (c == "\"" || c == "\047") {
				q = c; out = out q; i++
				while (i <= n && substr(l, i, 1) != q) {
					if (substr(l, i, 1) == "\\")
						i++
					i++
				}
				out = out q; i++
			} else {
				out = out c; i++
			}
		}
		return out
	}
	FNR == 1 { in_comment = 0 }
	{
		nlines[FILENAME] = FNR
		src[FILENAME, FNR] = strip($0)
	}
	END {
		for (f in nlines)
			for (ln = 1; ln <= nlines[f]; ln++)
				scan(f, ln)
	}
	# Prints each comparison call that starts on line ln of file f,
	# reading on to the line where its parentheses close.
	function scan(f, ln,	l, rest, pos, text, k, j, c, depth, call) {
		l = src[f, ln]
		pos = 0
		while (match(substr(l, pos + 1),
		    /(^|[^A-Za-z0-9_])(memcmp|strn?cmp|strn?casecmp|bcmp)[ \t]*\(/)) {
			pos += RSTART + (RSTART > 1 || substr(l, pos + 1, 1) !~ /[a-z]/)
			text = substr(l, pos)
			for (k = ln + 1; k <= nlines[f] && k < ln + 12; k++)
				text = text " " src[f, k]
			depth = 0; call = ""
			for (j = 1; j <= length(text); j++) {
				c = substr(text, j, 1)
				if (c == "(")
					depth++
				else if (c == ")" && --depth == 0)
					break
				if (c !~ /[ \t]/)
					call = call c
			}
			print f ":" ln ":" call ")"
		}
	}' $files) || {
	echo "not ok 2 - awk could not read the sources"
	exit 1
}
if [ -z "$calls" ]; then
	echo "not ok 2 - no comparison call found in src/: the scan is broken"
	exit 1
fi

secret='(secret|hash|token|code|verifier|challenge|passw|csrf|cookie|digest|nonce|refresh|^sig|_sig|^mac$|_mac$|^pw$|^tok$)'
found=$(printf '%s\n' "$calls" | awk -F: -v re="$secret" -v allowfile="$allow" '
	BEGIN {
		# FILE CALL -- REASON; the call written without blanks.
		while ((getline l < allowfile) > 0) {
			if (l ~ /^#/ || l !~ /[^ \t]/)
				continue
			if (l !~ / -- ./) {
				print "allowlist line without a reason: " l
				continue
			}
			split(l, w, " ")
			allowed[w[1] " " w[2]] = 1
		}
	}
	NF >= 3 {
		file = $1; line = $2; call = $0
		sub(/^[^:]*:[^:]*:/, "", call)
		# The names compared: a struct or pointer a member is
		# reached through does not count, its member does.
		args = call; sub(/^[a-z]*\(/, "", args)
		gsub(/[A-Za-z_][A-Za-z0-9_]*(\.|->)/, "", args)
		nid = split(args, ids, /[^A-Za-z0-9_]+/)
		hit = 0
		for (k = 1; k <= nid; k++)
			if (tolower(ids[k]) ~ re)
				hit = 1
		if (!hit)
			next
		if ((file " " call) in allowed) {
			used[file " " call] = 1
			next
		}
		print file ":" line ": " call
	}
	END {
		for (a in allowed)
			if (!(a in used))
				print "allowlist entry matches nothing: " a
	}')
echo "# $(printf '%s\n' "$calls" | wc -l) comparison calls in src/"
if [ -z "$found" ]; then
	echo "ok 2 - no secret is compared with memcmp, strcmp or their kin"
else
	echo "not ok 2 - secrets compared with memcmp, strcmp or their kin"
	printf '%s\n' "$found" | sed 's/^/# /'
	echo "# use crypto_equal() or crypto_str_equal() (CRYPTO_memcmp)," \
	    "or add a reviewed line to tests/lint/secret-compare.allow"
	fail=1
fi
exit $fail
