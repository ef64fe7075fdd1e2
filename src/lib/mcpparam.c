/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * Tool parameters mirrored into request headers (MCP 2026-07-28,
 * basic/transports/streamable-http, custom headers from tool
 * parameters; server/tools, x-mcp-header).
 *
 * A tool's input schema may mark a property with "x-mcp-header":
 * "Region"; a client then sends the argument's value a second time as
 * the header Mcp-Param-Region, so that a load balancer can route on it
 * without reading the body.  The server that runs the call must make
 * sure both say the same thing: a header that is missing while the
 * argument is there, that has invalid characters, or whose value
 * (after base64 decoding) differs from the argument is refused with
 * 400 and HeaderMismatch, as a wrong Mcp-Name is (mcpera.c).
 *
 * The web server hands request headers to the program as CGI
 * variables (RFC 3875, section 4.1.18): Mcp-Param-Region arrives as
 * HTTP_MCP_PARAM_REGION.  lighttpd (mod_fastcgi, mod_cgi) and Apache
 * (mod_fcgid, mod_cgi, both through ap_add_common_vars) pass every
 * request header this way by default.  Apache drops a header whose
 * name has any character other than a letter, a digit or "-", and
 * lighttpd turns every such character into "_", so that two names
 * could meet in one variable; this server therefore accepts only
 * letters, digits and "-" in an x-mcp-header name, a subset of the
 * token the specification allows, and checks that at startup.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "buf.h"
#include "mcp.h"
#include "mcpparam.h"

#define ANNOTATION	"x-mcp-header"
#define ENV_PREFIX	"HTTP_MCP_PARAM_"

/* The largest integer a JavaScript client holds exactly: 2^53 - 1. */
#define SAFE_INTEGER_MAX	9007199254740991.0

/* The annotations found on the properties reachable from the root. */
struct names {
	const char	*name[MCP_PARAM_MAX];
	size_t		 n;
};

/*
 * Counts the annotations anywhere in a schema.  The values of a
 * "properties" object are schemas, its keys are property names: a
 * property called "x-mcp-header" is no annotation.
 */
static size_t
count_annotations(struct json_object *node)
{
	size_t	 n = 0, i;

	if (json_object_is_type(node, json_type_array)) {
		for (i = 0; i < json_object_array_length(node); i++)
			n += count_annotations(
			    json_object_array_get_idx(node, i));
		return n;
	}
	if (!json_object_is_type(node, json_type_object))
		return 0;
	json_object_object_foreach(node, key, val) {
		if (strcmp(key, ANNOTATION) == 0)
			n++;
		else if (strcmp(key, "properties") == 0 &&
		    json_object_is_type(val, json_type_object)) {
			json_object_object_foreach(val, pkey, pval) {
				(void)pkey;
				n += count_annotations(pval);
			}
		} else
			n += count_annotations(val);
	}
	return n;
}

/* Whether a name is 1 to 64 letters, digits and "-" (see the top). */
static int
name_valid(const char *s)
{
	size_t	 n = strlen(s);

	return n > 0 && n <= MCP_PARAM_NAME_MAX && strspn(s,
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-") == n;
}

/* The "properties" object of an object schema, or NULL. */
static struct json_object *
properties_of(struct json_object *schema)
{
	struct json_object	*props;

	if (!json_object_object_get_ex(schema, "properties", &props) ||
	    !json_object_is_type(props, json_type_object))
		return NULL;
	return props;
}

/* Checks the annotations on the properties of one object schema. */
static int
check_properties(struct json_object *schema, struct names *seen, char *why,
    size_t whysz)
{
	struct json_object	*props, *h, *t;
	const char		*name, *type;
	size_t			 i;

	if ((props = properties_of(schema)) == NULL)
		return 0;
	json_object_object_foreach(props, key, prop) {
		if (!json_object_is_type(prop, json_type_object))
			continue;
		if (json_object_object_get_ex(prop, ANNOTATION, &h)) {
			if (!json_object_is_type(h, json_type_string) ||
			    !name_valid(name = json_object_get_string(h))) {
				snprintf(why, whysz, "property %s: x-mcp-header "
				    "must be 1 to %d letters, digits and \"-\"",
				    key, MCP_PARAM_NAME_MAX);
				return -1;
			}
			if (!json_object_object_get_ex(prop, "type", &t) ||
			    !json_object_is_type(t, json_type_string) ||
			    (strcmp(type = json_object_get_string(t),
			    "string") != 0 && strcmp(type, "integer") != 0 &&
			    strcmp(type, "boolean") != 0)) {
				snprintf(why, whysz, "property %s: x-mcp-header "
				    "needs type string, integer or boolean",
				    key);
				return -1;
			}
			for (i = 0; i < seen->n; i++)
				if (strcasecmp(seen->name[i], name) == 0) {
					snprintf(why, whysz, "x-mcp-header %s "
					    "is declared twice", name);
					return -1;
				}
			if (seen->n == MCP_PARAM_MAX) {
				snprintf(why, whysz, "more than %d x-mcp-header "
				    "annotations", MCP_PARAM_MAX);
				return -1;
			}
			seen->name[seen->n++] = name;
		}
		if (check_properties(prop, seen, why, whysz) == -1)
			return -1;
	}
	return 0;
}

/*
 * Checks a tool's input schema against the rules for x-mcp-header
 * (streamable-http, schema extension): each name a header-name token,
 * unique regardless of case, only on string, integer or boolean
 * properties, and only on properties reachable from the root through
 * "properties" alone (not through items, oneOf, $ref and the like).
 * Returns 0, or -1 with the reason in why.
 */
int
mcp_param_check_schema(struct json_object *schema, char *why, size_t whysz)
{
	struct names	 seen;

	memset(&seen, 0, sizeof(seen));
	if (check_properties(schema, &seen, why, whysz) == -1)
		return -1;
	if (count_annotations(schema) != seen.n) {
		snprintf(why, whysz, "x-mcp-header is allowed only on "
		    "properties reached through \"properties\" alone");
		return -1;
	}
	return 0;
}

/*
 * The raw value of the header Mcp-Param-<name> from the CGI
 * environment in *value: 1, or 0 if there is none, or -1 if there are
 * two.  Unlike http_env, an empty value is returned as it is: it is the
 * header of an empty string.  Two happen when the web server maps two
 * spellings to one variable (lighttpd turns any other character into
 * "_", so Mcp_Param_X and Mcp-Param-X meet): which one an intermediary
 * read cannot be known, so neither is believed.
 */
static int
header(char **envp, const char *name, const char **value)
{
	char	 var[sizeof(ENV_PREFIX) + MCP_PARAM_NAME_MAX];
	size_t	 i, n;

	n = strlen(ENV_PREFIX);
	memcpy(var, ENV_PREFIX, n);
	for (i = 0; name[i] != '\0' && n < sizeof(var) - 1; i++, n++)
		var[n] = name[i] == '-' ? '_' :
		    (char)toupper((unsigned char)name[i]);
	var[n] = '\0';
	*value = NULL;
	if (envp == NULL)
		return 0;
	for (; *envp != NULL; envp++) {
		if (strncmp(*envp, var, n) != 0 || (*envp)[n] != '=')
			continue;
		if (*value != NULL)
			return -1;
		*value = *envp + n + 1;
	}
	return *value != NULL;
}

/*
 * Whether s is a number in JSON's grammar (RFC 8259, section 6): no
 * sign but "-", no leading zeros, no hexadecimal, infinity or NaN,
 * all of which strtod() would take, so that a header a gateway reads
 * as text cannot mean the same number to us in another spelling.
 */
static int
json_number_syntax(const char *s)
{
	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (*s >= '1' && *s <= '9')
		while (*s >= '0' && *s <= '9')
			s++;
	else
		return 0;
	if (*s == '.') {
		s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		if (*s < '0' || *s > '9')
			return 0;
		while (*s >= '0' && *s <= '9')
			s++;
	}
	return *s == '\0';
}

/*
 * Whether the decoded header value equals the argument, rendered as the
 * client renders it (streamable-http, value encoding): a string as it
 * is, a boolean as "true" or "false", an integer in decimal, compared
 * numerically so that "42.0" equals 42 (server validation).  A value of
 * another type is left to the schema check, which refuses the call.
 */
static int
value_matches(struct json_object *arg, const char *hv, size_t hlen)
{
	const char	*s;
	char		*end;
	double		 d;

	switch (json_object_get_type(arg)) {
	case json_type_string:
		s = json_object_get_string(arg);
		return (size_t)json_object_get_string_len(arg) == hlen &&
		    memcmp(s, hv, hlen) == 0;
	case json_type_boolean:
		return strcmp(hv, json_object_get_boolean(arg) ? "true" :
		    "false") == 0;
	case json_type_int:
	case json_type_double:
		if (hlen == 0 || strlen(hv) != hlen || !json_number_syntax(hv))
			return 0;
		errno = 0;
		d = strtod(hv, &end);
		if (*end != '\0' || errno == ERANGE || !isfinite(d) ||
		    d > SAFE_INTEGER_MAX || d < -SAFE_INTEGER_MAX)
			return 0;
		return d == json_object_get_double(arg);
	default:
		return 1;
	}
}

/*
 * Checks the header Mcp-Param-<name> against the argument key (arg,
 * NULL when the call has none).  Returns 0, or -1 with the message.
 */
static int
check_header(const char *name, const char *key, struct json_object *arg,
    char **envp, char *why, size_t whysz)
{
	char		 buf[MCP_HEADER_VALUE_MAX + 1];
	char		 decoded[MCP_HEADER_VALUE_MAX];
	const char	*raw;
	size_t		 len, dlen;

	if (header(envp, name, &raw) == -1)
		goto malformed;
	if (raw == NULL) {
		/*
		 * A web server may drop an empty header, and an empty
		 * string is all it could have said.
		 */
		if (arg != NULL && !(json_object_is_type(arg,
		    json_type_string) && json_object_get_string_len(arg) == 0)) {
			snprintf(why, whysz, "Header mismatch: the "
			    "Mcp-Param-%s header is required", name);
			return -1;
		}
		return 0;
	}
	/* Optional whitespace is no part of the value (RFC 9110, 5.5). */
	while (*raw == ' ' || *raw == '\t')
		raw++;
	len = strlen(raw);
	while (len > 0 && (raw[len - 1] == ' ' || raw[len - 1] == '\t'))
		len--;
	if (len > MCP_HEADER_VALUE_MAX)
		goto malformed;
	memcpy(buf, raw, len);
	buf[len] = '\0';
	if (mcp_header_decode(buf, decoded, sizeof(decoded), &dlen) == -1)
		goto malformed;
	if (arg == NULL || !value_matches(arg, decoded, dlen)) {
		snprintf(why, whysz, "Header mismatch: the Mcp-Param-%s header "
		    "does not match arguments.%s", name, key);
		return -1;
	}
	return 0;
malformed:
	snprintf(why, whysz, "Header mismatch: the Mcp-Param-%s header value "
	    "is malformed", name);
	return -1;
}

/* Checks the headers of the annotated properties of one object level. */
static int
check_level(struct json_object *schema, struct json_object *args, char **envp,
    char *why, size_t whysz)
{
	struct json_object	*props, *h, *arg;

	if ((props = properties_of(schema)) == NULL)
		return 0;
	json_object_object_foreach(props, key, prop) {
		if (!json_object_is_type(prop, json_type_object))
			continue;
		/* A null argument is no argument (server behavior). */
		arg = NULL;
		if (args != NULL)
			json_object_object_get_ex(args, key, &arg);
		if (json_object_object_get_ex(prop, ANNOTATION, &h) &&
		    check_header(json_object_get_string(h), key, arg, envp,
		    why, whysz) == -1)
			return -1;
		if (check_level(prop, json_object_is_type(arg,
		    json_type_object) ? arg : NULL, envp, why, whysz) == -1)
			return -1;
	}
	return 0;
}

/*
 * Checks the Mcp-Param headers of a tools/call against its arguments
 * (NULL when it has none), the tool's input schema having passed
 * mcp_param_check_schema.  Returns 0, or -1 with the HeaderMismatch
 * message in why.
 */
int
mcp_param_check_call(struct json_object *schema, struct json_object *args,
    char **envp, char *why, size_t whysz)
{
	if (args != NULL && !json_object_is_type(args, json_type_object))
		args = NULL;
	return check_level(schema, args, envp, why, whysz);
}

/*
 * The check of a modern request at /mcp, after mcp_classify accepted
 * it: for a tools/call of a known tool, its Mcp-Param headers.  Any
 * other request, or a call the handler will refuse anyway (an unknown
 * tool, a name that is no string), passes.  Returns 0, or -1 with the
 * refusal (400, HeaderMismatch) set.
 */
int
mcp_param_validate(const struct mcp_server *srv, char **envp,
    struct json_object *body, struct mcp_refusal *r)
{
	struct json_object	*m, *params, *name, *args = NULL, *schema, *id;
	char			 why[256];

	if (!json_object_object_get_ex(body, "method", &m) ||
	    !json_object_is_type(m, json_type_string) ||
	    strcmp(json_object_get_string(m), "tools/call") != 0 ||
	    !json_object_object_get_ex(body, "params", &params) ||
	    !json_object_object_get_ex(params, "name", &name) ||
	    !json_object_is_type(name, json_type_string) ||
	    (schema = mcp_tool_input_schema(srv,
	    json_object_get_string(name))) == NULL)
		return 0;
	json_object_object_get_ex(params, "arguments", &args);
	if (mcp_param_check_call(schema, args, envp, why, sizeof(why)) == 0)
		return 0;
	json_object_object_get_ex(body, "id", &id);
	r->status = 400;
	r->reply = jsonrpc_error(id, MCP_HEADER_MISMATCH, why);
	return -1;
}

/*
 * The Mcp-Param headers a CORS preflight asks for (requested: the
 * Access-Control-Request-Headers value, or NULL), each appended to out
 * as ", Mcp-Param-<name>".  A browser client cannot send a header the
 * preflight's answer does not list (Fetch, section 4.8), and which
 * Mcp-Param names a call carries depends on the tool, so the answer
 * lists those asked for rather than a fixed set.  Only well-formed
 * names are listed, and at most MCP_PARAM_MAX of them: the answer is
 * bounded whatever the request says.
 */
void
mcp_param_preflight(const char *requested, struct buf *out)
{
	static const char	 prefix[] = "mcp-param-";
	char			 name[MCP_PARAM_NAME_MAX + 1];
	const char		*p, *end;
	size_t			 len, plen = sizeof(prefix) - 1, listed = 0;

	if (requested == NULL)
		return;
	for (p = requested; *p != '\0' && listed < MCP_PARAM_MAX; p = end) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		end = p + strcspn(p, ",");
		len = (size_t)(end - p);
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len <= plen || len - plen > MCP_PARAM_NAME_MAX ||
		    strncasecmp(p, prefix, plen) != 0)
			continue;
		memcpy(name, p + plen, len - plen);
		name[len - plen] = '\0';
		if (!name_valid(name))
			continue;
		buf_printf(out, ", Mcp-Param-%s", name);
		listed++;
	}
}
