/* Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE. */
/*
 * mcp-oauth-admin: shared state and helpers of the commands.
 */
#ifndef MCP_ADMIN_H
#define MCP_ADMIN_H

#include <stdint.h>

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

/*
 * Room for a time as admin_time_str() writes it: "2026-01-31T23:59:59Z"
 * and its NUL, with room for years beyond 9999.
 */
#define ADMIN_TIME_MAX	32

/* The basics every command uses (util.c). */
void	 admin_err(const char *, ...) __attribute__((format(printf, 1, 2)));
int	 admin_usage(const struct admin_cmd *);
int	 admin_wants_help(int, char **);
int	 admin_load_config(struct admin *);
int	 admin_open(struct admin *, int);
int	 admin_read_password(int, char *, size_t);
const char *admin_time_str(long long, char *, size_t);
void	 admin_print_time(long long);
void	 admin_json_print(struct json_object *);
const char *admin_clean(const char *, char *, size_t);
void	 admin_put_clean(const char *);

/* Options, transactions, failures and listings (common.c). */
#define ADMIN_HASH_PREFIX	12

struct revoke_result;

struct admin_list {
	int		 json;
	unsigned long	 count;
};

int64_t	 admin_now(void);
int	 admin_opt(int, char **, int *, const char *, const char **);
int	 admin_begin(struct admin *, int, struct store_txn **);
int	 admin_store_fail(struct admin *, const char *, int);
void	 admin_map_warning(struct admin *);
void	 admin_hash_prefix(const unsigned char *, char *);
void	 admin_list_begin(struct admin_list *, int);
void	 admin_list_add(struct admin_list *, struct json_object *);
void	 admin_list_end(struct admin_list *);
struct json_object *admin_revoke_json(const struct revoke_result *);
void	 admin_revoke_print(const struct revoke_result *);

int	 cmd_backup(struct admin *, int, char **);
int	 cmd_check(struct admin *, int, char **);
int	 cmd_client(struct admin *, int, char **);
int	 cmd_doctor(struct admin *, int, char **);
int	 cmd_events(struct admin *, int, char **);
int	 cmd_grant(struct admin *, int, char **);
int	 cmd_init(struct admin *, int, char **);
int	 cmd_key(struct admin *, int, char **);
int	 cmd_purge(struct admin *, int, char **);
int	 cmd_revoke(struct admin *, int, char **);
int	 cmd_stats(struct admin *, int, char **);
int	 cmd_token(struct admin *, int, char **);
int	 cmd_user(struct admin *, int, char **);

#endif
