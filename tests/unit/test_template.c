/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * The page template engine (escaping by default, sections, inverted
 * sections, lists, unknown names as errors, partials), the real pages
 * under www/ rendered with hostile values, and the headers every page
 * and cookie carries (the consent page names the client, the scopes
 * and the redirect host and guards against CSRF and framing: RFC 9700
 * §4.2, §4.7, §4.16).
 */
#include <criterion/criterion.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/lib/buf.h"
#include "../../src/lib/config.h"
#include "../../src/lib/http.h"
#include "../../src/lib/page.h"
#include "../../src/lib/template.h"
#include "testutil.h"

#ifndef TOP_SRCDIR
#error "TOP_SRCDIR must name the source tree"
#endif

static struct buf	 out;
static char		 err[TEMPLATE_ERR_MAX];

static void
setup(void)
{
	buf_init(&out);
	err[0] = '\0';
}

static void
teardown(void)
{
	buf_free(&out);
}

TestSuite(template, .init = setup, .fini = teardown);

static int
render(const char *text, const struct tmpl_var *vars, size_t n)
{
	struct tmpl_scope	 s = { vars, n };

	buf_reset(&out);
	err[0] = '\0';
	return tmpl_render(text, &s, &out, err, sizeof(err));
}

static struct tmpl_var
str(const char *name, const char *v)
{
	struct tmpl_var	 t;

	memset(&t, 0, sizeof(t));
	t.name = name;
	t.type = TMPL_STR;
	t.str = v;
	return t;
}

static struct tmpl_var
boolean(const char *name, int b)
{
	struct tmpl_var	 t;

	memset(&t, 0, sizeof(t));
	t.name = name;
	t.type = TMPL_BOOL;
	t.b = b;
	return t;
}

static struct tmpl_var
list(const char *name, const struct tmpl_scope *items, size_t n)
{
	struct tmpl_var	 t;

	memset(&t, 0, sizeof(t));
	t.name = name;
	t.type = TMPL_LIST;
	t.items = items;
	t.nitems = n;
	return t;
}

Test(template, plain_text_passes_through)
{
	cr_assert_eq(render("no tags <b>here</b> {single} }}", NULL, 0),
	    TMPL_OK);
	cr_assert_str_eq(buf_cstr(&out), "no tags <b>here</b> {single} }}");
	cr_assert_eq(render("", NULL, 0), TMPL_OK);
	cr_assert_str_eq(buf_cstr(&out), "");
}

Test(template, every_special_character_is_escaped)
{
	struct tmpl_var	 v = str("x", "<script>alert('x' & \"y\")</script>");

	cr_assert_eq(render("<p title=\"{{x}}\">{{x}}</p>", &v, 1), TMPL_OK);
	cr_assert_str_eq(buf_cstr(&out), "<p title=\"&lt;script&gt;alert("
	    "&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;\">&lt;script&gt;"
	    "alert(&#39;x&#39; &amp; &quot;y&quot;)&lt;/script&gt;</p>");
	v = str("x", "&amp; already escaped");
	cr_assert_eq(render("{{x}}", &v, 1), TMPL_OK);
	cr_assert_str_eq(buf_cstr(&out), "&amp;amp; already escaped",
	    "escaped again: no double standards");
	v = str("x", "caf\xc3\xa9 / = ` {{y}}");
	cr_assert_eq(render("{{x}}", &v, 1), TMPL_OK);
	cr_assert_str_eq(buf_cstr(&out), "caf\xc3\xa9 / = ` {{y}}",
	    "a value is never parsed as a template");
}

Test(template, null_string_is_empty)
{
	struct tmpl_var	 v = str("x", NULL);

	cr_assert_eq(render("[{{x}}]", &v, 1), TMPL_OK);
	cr_assert_str_eq(buf_cstr(&out), "[]");
}

Test(template, sections_on_booleans_and_strings)
{
	struct tmpl_var	 v[4];

	v[0] = boolean("yes", 1);
	v[1] = boolean("no", 0);
	v[2] = str("s", "text");
	v[3] = str("e", "");
	cr_assert_eq(render("{{#yes}}Y{{/yes}}{{#no}}N{{/no}}"
	    "{{^yes}}!Y{{/yes}}{{^no}}!N{{/no}}", v, 4), TMPL_OK);
	cr_assert_str_eq(buf_cstr(&out), "Y!N");
	cr_assert_eq(render("{{#s}}<{{s}}>{{/s}}{{#e}}E{{/e}}{{^e}}none{{/e}}"
	    "{{^s}}hidden{{/s}}", v, 4), TMPL_OK);
	cr_assert_str_eq(buf_cstr(&out), "<text>none");
}

Test(template, lists_repeat_with_item_scope)
{
	struct tmpl_var		 a[2], b[2], top[3];
	struct tmpl_scope	 items[2];

	a[0] = str("name", "mcp");
	a[1] = str("text", "Use <tools>");
	b[0] = str("name", "notes:read");
	b[1] = str("text", NULL);
	items[0].vars = a;
	items[0].nvars = 2;
	items[1].vars = b;
	items[1].nvars = 2;
	top[0] = list("scopes", items, 2);
	top[1] = str("name", "outer");
	top[2] = str("user", "alice");
	cr_assert_eq(render("{{#scopes}}[{{name}}{{#text}}: {{text}}{{/text}}"
	    " {{user}}]{{/scopes}} {{name}}", top, 3), TMPL_OK, "%s", err);
	cr_assert_str_eq(buf_cstr(&out), "[mcp: Use &lt;tools&gt; alice]"
	    "[notes:read alice] outer",
	    "item names shadow outer ones, outer ones stay visible");
	top[0] = list("scopes", items, 0);
	cr_assert_eq(render("{{#scopes}}x{{/scopes}}{{^scopes}}empty"
	    "{{/scopes}}", top, 3), TMPL_OK);
	cr_assert_str_eq(buf_cstr(&out), "empty");
}

Test(template, nested_sections_of_the_same_name)
{
	struct tmpl_var	 v = boolean("a", 1);

	cr_assert_eq(render("{{#a}}1{{#a}}2{{/a}}3{{/a}}4", &v, 1), TMPL_OK,
	    "%s", err);
	cr_assert_str_eq(buf_cstr(&out), "1234");
	v.b = 0;
	cr_assert_eq(render("{{#a}}1{{#a}}2{{/a}}3{{/a}}4", &v, 1), TMPL_OK);
	cr_assert_str_eq(buf_cstr(&out), "4");
}

Test(template, similar_names_do_not_close_a_section)
{
	struct tmpl_var	 v[2];

	v[0] = boolean("scope", 1);
	v[1] = boolean("scopes", 0);
	cr_assert_eq(render("{{#scope}}a{{#scopes}}b{{/scopes}}c{{/scope}}", v,
	    2), TMPL_OK, "%s", err);
	cr_assert_str_eq(buf_cstr(&out), "ac");
}

Test(template, unknown_names_are_errors)
{
	struct tmpl_var	 v = str("known", "k");

	cr_assert_eq(render("a {{unknown}} b", &v, 1), TMPL_EUNKNOWN);
	cr_assert_not_null(strstr(err, "unknown"), "%s", err);
	cr_assert_eq(render("{{#nope}}x{{/nope}}", &v, 1), TMPL_EUNKNOWN);
	cr_assert_not_null(strstr(err, "nope"), "%s", err);
	cr_assert_eq(render("{{ known }}", &v, 1), TMPL_EUNKNOWN,
	    "no spaces inside tags");
	cr_assert_eq(render("{{KNOWN}}", &v, 1), TMPL_EUNKNOWN,
	    "names are case-sensitive");
	cr_assert_eq(render("{{>known}}", &v, 1), TMPL_EUNKNOWN,
	    "partials are resolved at load time only");
}

Test(template, syntax_errors)
{
	struct tmpl_var	 v[2];
	struct tmpl_scope items[1];
	char		 big[80];

	v[0] = boolean("b", 1);
	items[0].vars = v;
	items[0].nvars = 1;
	v[1] = list("l", items, 1);
	cr_assert_eq(render("text {{b", v, 2), TMPL_ESYNTAX);
	cr_assert_not_null(strstr(err, "unclosed tag"), "%s", err);
	cr_assert_eq(render("{{#b}}no end", v, 2), TMPL_ESYNTAX);
	cr_assert_not_null(strstr(err, "unclosed section"), "%s", err);
	cr_assert_eq(render("x{{/b}}", v, 2), TMPL_ESYNTAX);
	cr_assert_not_null(strstr(err, "unopened section"), "%s", err);
	cr_assert_eq(render("{{}}", v, 2), TMPL_ESYNTAX);
	cr_assert_eq(render("{{#}}x{{/}}", v, 2), TMPL_ESYNTAX);
	cr_assert_eq(render("{{b}}", v, 2), TMPL_ESYNTAX,
	    "a boolean is not printable");
	cr_assert_eq(render("{{l}}", v, 2), TMPL_ESYNTAX);
	memset(big, 'a', 70);
	memcpy(big, "{{", 2);
	memcpy(big + 67, "}}", 3);
	cr_assert_eq(render(big, v, 2), TMPL_ESYNTAX, "a 65-character name");
}

Test(template, list_nesting_is_limited)
{
	struct tmpl_var		 self;
	struct tmpl_scope	 items[1];
	char			 text[400];
	size_t			 i;

	/* A list whose item holds the same list: depth is the template's. */
	items[0].vars = &self;
	items[0].nvars = 1;
	self = list("l", items, 1);
	text[0] = '\0';
	for (i = 0; i < 7; i++)
		strcat(text, "{{#l}}");
	strcat(text, "x");
	for (i = 0; i < 7; i++)
		strcat(text, "{{/l}}");
	cr_assert_eq(render(text, &self, 1), TMPL_OK, "%s", err);
	cr_assert_str_eq(buf_cstr(&out), "x");
	text[0] = '\0';
	for (i = 0; i < 8; i++)
		strcat(text, "{{#l}}");
	strcat(text, "x");
	for (i = 0; i < 8; i++)
		strcat(text, "{{/l}}");
	cr_assert_eq(render(text, &self, 1), TMPL_ESYNTAX);
	cr_assert_not_null(strstr(err, "too deep"), "%s", err);
}

/* A www directory with templates for the load tests. */
static char *
www(void)
{
	char	*dir = testutil_tmpdir(), sub[300];

	snprintf(sub, sizeof(sub), "%s/templates", dir);
	cr_assert_eq(mkdir(sub, 0700), 0);
	free(testutil_write(sub, "head.html", "<head>{{title}}</head>\n"));
	free(testutil_write(sub, "foot.html", "<foot>\n"));
	free(testutil_write(sub, "page.html",
	    "{{>head}}<body>{{x}}</body>{{> foot}}"));
	free(testutil_write(sub, "missing.html", "a{{>nosuch}}b"));
	free(testutil_write(sub, "badname.html", "a{{>../etc/passwd}}b"));
	free(testutil_write(sub, "unclosed.html", "a{{>head"));
	free(testutil_write(sub, "nested.html", "{{>page}}"));
	return dir;
}

Test(template, load_resolves_partials)
{
	char		*dir = www(), *text;
	struct tmpl_var	 v[2];

	cr_assert_eq(tmpl_load(dir, "page", &text, err, sizeof(err)), TMPL_OK,
	    "%s", err);
	cr_assert_str_eq(text, "<head>{{title}}</head>\n<body>{{x}}</body>"
	    "<foot>\n");
	v[0] = str("title", "T<");
	v[1] = str("x", "X");
	cr_assert_eq(render(text, v, 2), TMPL_OK, "%s", err);
	cr_assert_str_eq(buf_cstr(&out), "<head>T&lt;</head>\n<body>X</body>"
	    "<foot>\n");
	free(text);
	/* One level deep: a partial's own partials stay unresolved. */
	cr_assert_eq(tmpl_load(dir, "nested", &text, err, sizeof(err)),
	    TMPL_OK);
	cr_assert_not_null(strstr(text, "{{>head}}"));
	cr_assert_eq(render(text, v, 2), TMPL_EUNKNOWN);
	free(text);
	testutil_rmdir(dir);
}

Test(template, load_errors)
{
	char	*dir = www(), *text = NULL, sub[300];
	char	*big;

	cr_assert_eq(tmpl_load(dir, "nosuch", &text, err, sizeof(err)),
	    TMPL_EFILE);
	cr_assert_null(text);
	cr_assert_not_null(strstr(err, "nosuch.html"), "%s", err);
	cr_assert_eq(tmpl_load(dir, "missing", &text, err, sizeof(err)),
	    TMPL_EFILE);
	cr_assert_not_null(strstr(err, "nosuch.html"), "%s", err);
	cr_assert_eq(tmpl_load(dir, "badname", &text, err, sizeof(err)),
	    TMPL_ESYNTAX, "no path in a partial name");
	cr_assert_eq(tmpl_load(dir, "unclosed", &text, err, sizeof(err)),
	    TMPL_ESYNTAX);
	cr_assert_null(text);
	big = malloc(TEMPLATE_FILE_MAX + 2);
	cr_assert_not_null(big);
	memset(big, 'x', TEMPLATE_FILE_MAX + 1);
	big[TEMPLATE_FILE_MAX + 1] = '\0';
	snprintf(sub, sizeof(sub), "%s/templates", dir);
	free(testutil_write(sub, "big.html", big));
	free(big);
	cr_assert_eq(tmpl_load(dir, "big", &text, err, sizeof(err)),
	    TMPL_EFILE);
	/* A path longer than any the system opens is said, not cut. */
	big = malloc(PATH_MAX + 1);
	cr_assert_not_null(big);
	memset(big, 'x', PATH_MAX);
	big[PATH_MAX] = '\0';
	cr_assert_eq(tmpl_load(dir, big, &text, err, sizeof(err)), TMPL_EFILE);
	cr_assert_null(text);
	cr_assert_not_null(strstr(err, "is too long"), "%s", err);
	free(big);
	testutil_rmdir(dir);
}

/*
 * The real pages, rendered through page_render() with every string a
 * client controls set to markup: none of it may come out unescaped.
 */
static struct config *
page_config(const char *issuer)
{
	struct config	*cfg;
	char		 text[512], cerr[CONFIG_ERR_MAX];

	snprintf(text, sizeof(text), "issuer = %s\ndb_path = /nonexistent\n"
	    "www_dir = %s/www\nresource_name = Notes <b>&</b>\n", issuer,
	    TOP_SRCDIR);
	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, cerr,
	    sizeof(cerr)), CONFIG_OK, "%s", cerr);
	return cfg;
}

#define HOSTILE	"<script>alert(1)</script>\"'&"
#define ESCAPED	"&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"

static void
assert_page_headers(const struct http_response *resp)
{
	const char	*h = buf_cstr((struct buf *)&resp->headers);

	cr_assert_not_null(strstr(h,
	    "Content-Type: text/html; charset=utf-8\r\n"), "%s", h);
	cr_assert_not_null(strstr(h, "Cache-Control: no-store\r\n"));
	cr_assert_not_null(strstr(h, "X-Frame-Options: DENY\r\n"));
	cr_assert_not_null(strstr(h, "Referrer-Policy: no-referrer\r\n"));
	cr_assert_not_null(strstr(h, "X-Content-Type-Options: nosniff\r\n"));
	cr_assert_not_null(strstr(h, "Content-Security-Policy: "
	    "default-src 'none';"));
	cr_assert_not_null(strstr(h, "frame-ancestors 'none'"));
	/* CSP form-action would block the redirect after the consent POST. */
	cr_assert_null(strstr(h, "form-action"), "%s", h);
	cr_assert_null(strstr(h, "script-src"), "no scripts needed");
}

Test(template, real_pages_escape_client_strings)
{
	struct config		*cfg = page_config("https://mcp.example.com");
	struct http_response	 resp;
	struct tmpl_var		 v[18], sv[8], uv[2];
	struct tmpl_scope	 items[1], unlocks[1];
	const char		*body;

	memset(v, 0, sizeof(v));
	v[0] = str("client_name", HOSTILE);
	v[1] = boolean("self_declared", 1);
	v[2] = str("request", HOSTILE);
	v[3] = str("csrf", HOSTILE);
	v[4] = str("username", HOSTILE);
	v[5] = str("error", HOSTILE);
	v[6] = boolean("device", 0);
	http_response_init(&resp);
	cr_assert_eq(page_render(cfg, &resp, 200, "login", "Sign in", v, 7), 0,
	    "%s", buf_cstr(&resp.body));
	body = buf_cstr(&resp.body);
	cr_assert_null(strstr(body, "<script"), "%s", body);
	cr_assert_not_null(strstr(body, "<strong class=\"client\">" ESCAPED
	    "</strong>"), "%s", body);
	cr_assert_not_null(strstr(body, "name=\"csrf\" value=\"" ESCAPED
	    "\""));
	cr_assert_not_null(strstr(body, "value=\"" ESCAPED "\" autocomplete"));
	cr_assert_not_null(strstr(body, "name given by the application"));
	cr_assert_not_null(strstr(body, "Notes &lt;b&gt;&amp;&lt;/b&gt;"));
	cr_assert_eq(resp.status, 200);
	assert_page_headers(&resp);
	http_response_free(&resp);

	uv[0] = str("kind", "Tool");
	uv[1] = str("label", HOSTILE);
	unlocks[0].vars = uv;
	unlocks[0].nvars = 2;
	sv[0] = str("name", HOSTILE);
	sv[1] = str("text", HOSTILE);
	sv[2] = str("field", "scope_0");
	sv[3] = str("id", "scope-0");
	sv[4] = boolean("fixed", 0);
	sv[5] = list("unlocks", unlocks, 1);
	sv[6] = boolean("has_unlocks", 1);
	sv[7] = boolean("checked", 1);
	items[0].vars = sv;
	items[0].nvars = 8;
	v[0] = str("client_name", HOSTILE);
	v[1] = boolean("self_declared", 0);
	v[2] = str("user", HOSTILE);
	v[3] = list("scopes", items, 1);
	v[4] = str("redirect_host", HOSTILE);
	v[5] = boolean("loopback", 1);
	v[6] = boolean("custom_scheme", 1);
	v[7] = str("request", HOSTILE);
	v[8] = str("csrf", HOSTILE);
	v[9] = str("grant_end", HOSTILE);
	v[10] = boolean("device", 0);
	v[11] = str("user_code", HOSTILE);
	v[12] = str("client_domain", HOSTILE);
	v[13] = boolean("has_scopes", 1);
	v[14] = list("granted", items, 1);
	v[15] = boolean("has_granted", 1);
	v[16] = list("refused", items, 1);
	v[17] = boolean("has_refused", 1);
	http_response_init(&resp);
	cr_assert_eq(page_render(cfg, &resp, 200, "consent", "Allow access?",
	    v, 18), 0, "%s", buf_cstr(&resp.body));
	body = buf_cstr(&resp.body);
	cr_assert_null(strstr(body, "<script"), "%s", body);
	cr_assert_null(strstr(body, "name given by the application"),
	    "only dynamically registered clients are marked");
	cr_assert_not_null(strstr(body, "<li><strong>" ESCAPED "</strong>"
	    "<span>" ESCAPED "</span></li>"), "%s", body);
	/* The checkbox's value, its label and what the scope unlocks. */
	cr_assert_not_null(strstr(body, "value=\"" ESCAPED "\" checked>"),
	    "%s", body);
	cr_assert_not_null(strstr(body, "<label for=\"scope-0\"><strong>"
	    ESCAPED "</strong>"), "%s", body);
	cr_assert_not_null(strstr(body, "<li>Tool: <code>" ESCAPED
	    "</code></li>"), "%s", body);
	cr_assert_not_null(strstr(body, "<legend>It will be able to</legend>"));
	cr_assert_not_null(strstr(body, "<code>" ESCAPED "</code>"));
	cr_assert_not_null(strstr(body, "<strong class=\"domain\">" ESCAPED
	    "</strong>"), "the verified domain, escaped");
	cr_assert_not_null(strstr(body, "<dd class=\"until\">" ESCAPED),
	    "the end of the approval, escaped");
	cr_assert_not_null(strstr(body, "class=\"warning\""),
	    "a warning for a loopback-only redirect URI");
	cr_assert_not_null(strstr(body, "value=\"approve\""));
	cr_assert_not_null(strstr(body, "value=\"deny\""));
	cr_assert_not_null(strstr(body, "<form method=\"post\" "
	    "action=\"/authorize\""));
	assert_page_headers(&resp);
	http_response_free(&resp);

	/* The device pages (RFC 8628): the typed code comes back escaped. */
	v[0] = str("user_code", HOSTILE);
	v[1] = str("csrf", HOSTILE);
	v[2] = str("error", HOSTILE);
	http_response_init(&resp);
	cr_assert_eq(page_render(cfg, &resp, 400, "device", "Connect a device",
	    v, 3), 0, "%s", buf_cstr(&resp.body));
	body = buf_cstr(&resp.body);
	cr_assert_null(strstr(body, "<script"), "%s", body);
	cr_assert_not_null(strstr(body, "name=\"user_code\" type=\"text\" "
	    "value=\"" ESCAPED "\""), "%s", body);
	cr_assert_not_null(strstr(body, "action=\"/device\""));
	assert_page_headers(&resp);
	http_response_free(&resp);
	v[0] = str("message", HOSTILE);
	http_response_init(&resp);
	cr_assert_eq(page_render(cfg, &resp, 200, "device-done", "Done", v, 1),
	    0, "%s", buf_cstr(&resp.body));
	cr_assert_null(strstr(buf_cstr(&resp.body), "<script"));
	http_response_free(&resp);

	http_response_init(&resp);
	page_error(cfg, &resp, 400, "Bad " HOSTILE, HOSTILE, NULL);
	body = buf_cstr(&resp.body);
	cr_assert_eq(resp.status, 400);
	cr_assert_null(strstr(body, "<script"), "%s", body);
	cr_assert_not_null(strstr(body, "<h1>Bad " ESCAPED "</h1>"));
	cr_assert_null(strstr(body, "class=\"note\""), "no hint, no note");
	assert_page_headers(&resp);
	http_response_free(&resp);
	config_free(cfg);
}

Test(template, missing_template_gives_a_plain_500)
{
	struct config		*cfg;
	struct http_response	 resp;
	char			 text[256], cerr[CONFIG_ERR_MAX];

	snprintf(text, sizeof(text), "issuer = https://mcp.example.com\n"
	    "db_path = /nonexistent\nwww_dir = /nonexistent/www\n");
	cr_assert_eq(config_parse("/t.conf", text, strlen(text), &cfg, cerr,
	    sizeof(cerr)), CONFIG_OK, "%s", cerr);
	http_response_init(&resp);
	cr_assert_eq(page_render(cfg, &resp, 200, "login", "T<", NULL, 0), -1);
	cr_assert_eq(resp.status, 500);
	cr_assert_not_null(strstr(buf_cstr(&resp.body),
	    "<title>T&lt;</title>"));
	assert_page_headers(&resp);
	http_response_free(&resp);
	config_free(cfg);
}

Test(template, cookies_are_host_prefixed_secure_httponly_lax)
{
	struct config		*cfg = page_config("https://mcp.example.com");
	struct http_response	 resp;
	const char		*h;
	char			 name[64];

	http_response_init(&resp);
	cookie_set(&resp, cfg, "mcp_session", "v1", 3600);
	cookie_set(&resp, cfg, "mcp_browser", "v2", 0);
	cookie_set(&resp, cfg, "mcp_session", NULL, -1);
	h = buf_cstr(&resp.headers);
	cr_assert_str_eq(h,
	    "Set-Cookie: __Host-mcp_session=v1; Path=/; Secure; HttpOnly; "
	    "SameSite=Lax; Max-Age=3600\r\n"
	    "Set-Cookie: __Host-mcp_browser=v2; Path=/; Secure; HttpOnly; "
	    "SameSite=Lax\r\n"
	    "Set-Cookie: __Host-mcp_session=; Path=/; Secure; HttpOnly; "
	    "SameSite=Lax; Max-Age=0\r\n");
	cr_assert_null(strstr(h, "Domain"), "__Host- forbids Domain");
	cookie_name(cfg, "x", name, sizeof(name));
	cr_assert_str_eq(name, "__Host-x");
	http_response_free(&resp);
	config_free(cfg);

	/* Plain http on localhost in development: no prefix, no Secure. */
	cfg = page_config("http://localhost:8080");
	http_response_init(&resp);
	cookie_set(&resp, cfg, "mcp_session", "v1", 60);
	cr_assert_str_eq(buf_cstr(&resp.headers),
	    "Set-Cookie: mcp_session=v1; Path=/; HttpOnly; SameSite=Lax; "
	    "Max-Age=60\r\n");
	http_response_free(&resp);
	config_free(cfg);
}

/* A subdirectory install's pages name its URLs under the issuer's path. */
Test(template, pages_of_a_subdirectory_install)
{
	struct config		*cfg = page_config("https://example.com/sub");
	struct http_response	 resp;
	const struct tmpl_var	 v[] = {
		{ .name = "user_code", .type = TMPL_STR, .str = "" },
		{ .name = "csrf", .type = TMPL_STR, .str = "c" },
		{ .name = "error", .type = TMPL_STR, .str = "" },
	};
	const char		*body;

	http_response_init(&resp);
	cr_assert_eq(page_render(cfg, &resp, 200, "device", "Connect a device",
	    v, 3), 0, "%s", buf_cstr(&resp.body));
	body = buf_cstr(&resp.body);
	cr_assert_not_null(strstr(body, "action=\"/sub/device\""), "%s", body);
	cr_assert_not_null(strstr(body, "href=\"/sub/static/style.css\""),
	    "%s", body);
	http_response_free(&resp);
	config_free(cfg);
}

/*
 * A subdirectory install keeps its cookies to the issuer's path, which
 * "__Host-" forbids (it requires Path=/): "__Secure-" names then.
 */
Test(template, cookies_of_a_subdirectory_install)
{
	struct config		*cfg = page_config("https://example.com/sub");
	struct http_response	 resp;
	char			 name[64];

	http_response_init(&resp);
	cookie_set(&resp, cfg, "mcp_session", "v1", 3600);
	cookie_set(&resp, cfg, "mcp_session", NULL, -1);
	cr_assert_str_eq(buf_cstr(&resp.headers),
	    "Set-Cookie: __Secure-mcp_session=v1; Path=/sub; Secure; "
	    "HttpOnly; SameSite=Lax; Max-Age=3600\r\n"
	    "Set-Cookie: __Secure-mcp_session=; Path=/sub; Secure; "
	    "HttpOnly; SameSite=Lax; Max-Age=0\r\n");
	cookie_name(cfg, "x", name, sizeof(name));
	cr_assert_str_eq(name, "__Secure-x");
	http_response_free(&resp);
	config_free(cfg);

	cfg = page_config("http://localhost:8080/sub");
	http_response_init(&resp);
	cookie_set(&resp, cfg, "mcp_session", "v1", 0);
	cr_assert_str_eq(buf_cstr(&resp.headers),
	    "Set-Cookie: mcp_session=v1; Path=/sub; HttpOnly; SameSite=Lax"
	    "\r\n");
	http_response_free(&resp);
	config_free(cfg);
}
