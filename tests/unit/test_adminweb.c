/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * What the administration pages' "confirm with your password" page
 * repeats of a posted form: every field but the CSRF token (the page
 * writes its own) and the administrator's password.  A page's own
 * field named "password" (a user's new password) is an action's field
 * and is repeated.
 */
#include <criterion/criterion.h>

#include "../../src/lib/adminweb.h"

Test(adminweb, reauth_echoes_every_field_but_token_and_password)
{
	cr_assert_eq(adminweb_reauth_echoes("csrf"), 0);
	cr_assert_eq(adminweb_reauth_echoes("admin_password"), 0);
	cr_assert_eq(adminweb_reauth_echoes("admin_username"), 0);
	cr_assert_eq(adminweb_reauth_echoes("action"), 1);
	cr_assert_eq(adminweb_reauth_echoes("user"), 1);
	cr_assert_eq(adminweb_reauth_echoes("password"), 1);
	cr_assert_eq(adminweb_reauth_echoes("csrf2"), 1);
}
