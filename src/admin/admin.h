/*
 * mcp-oauth-admin: shared state and helpers of the commands.
 */
#ifndef MCP_ADMIN_H
#define MCP_ADMIN_H

struct json_object;

#include "../lib/config.h"
#include "../lib/store.h"

/* Exit codes: success, failure, usage error. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

struct admin {
	const char	*config_path;
	struct config	*cfg;
	struct store	*store;
	int		 json;
};

struct admin_cmd {
	const char	*name;
	int		(*run)(struct admin *, int, char **);
	const char	*usage;
	const char	*help;
};

void	 admin_err(const char *, ...) __attribute__((format(printf, 1, 2)));
int	 admin_usage(const struct admin_cmd *);
int	 admin_wants_help(int, char **);
int	 admin_load_config(struct admin *);
int	 admin_open(struct admin *, int);
int	 admin_read_password(int, char *, size_t);
void	 admin_print_time(long long);
void	 admin_json_print(struct json_object *);

int	 cmd_init(struct admin *, int, char **);
int	 cmd_user(struct admin *, int, char **);

#endif
