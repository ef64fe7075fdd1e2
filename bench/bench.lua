-- Copyright (c) 2026 The mcp-oauth-fcgi authors. ISC license: see LICENSE.
-- The wrk script of bench/run.  Everything comes from the environment,
-- so that one script serves every measurement:
--
--   BENCH_MODE     fixed    the same request every time (default)
--                  refresh  POST /token refresh_token grants: each
--                           connection starts with a fresh refresh
--                           token from BENCH_SEEDS and goes on with the
--                           one each response returns (rotation), so
--                           no refresh token is ever presented twice
--                  code     POST /token authorization_code grants, one
--                           fresh code from BENCH_SEEDS per request
--   BENCH_METHOD   request method (fixed mode; default GET)
--   BENCH_BODY     request body (fixed mode), or the form body that the
--                  token or code is appended to (refresh, code)
--   BENCH_HEADERS  "Name: value" lines
--   BENCH_SEEDS    file of refresh tokens or codes, one a line
--   BENCH_FIRST, BENCH_COUNT   the lines of BENCH_SEEDS this run may use
--   BENCH_THREADS  wrk's -t (to share the seeds out between threads)
--   BENCH_LIMIT    fixed mode: each thread stops after this many
--                  responses (0: run for the duration)
--
-- done() prints one line, "BENCH {json}", that bench/driver.mjs reads.

local mode = os.getenv("BENCH_MODE") or "fixed"
local body = os.getenv("BENCH_BODY") or ""
local headers = {}
for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
	local k, v = line:match("^([^:]+):%s*(.*)$")
	if k then
		headers[k] = v
	end
end

wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.headers = headers
if mode == "fixed" and body ~= "" then
	wrk.body = body
end

-- setup() runs in the main Lua state, once per thread.
local threads = {}
function setup(thread)
	thread:set("id", #threads)
	threads[#threads + 1] = thread
end

local seeds, seed_next, queue = {}, 1, {}
local limit, responses = 0, 0
exhausted = 0	-- a global: done() reads it with thread:get()

function init(args)
	limit = tonumber(os.getenv("BENCH_LIMIT") or "0") or 0
	if mode == "fixed" then
		return
	end
	local nthreads = tonumber(os.getenv("BENCH_THREADS"))
	local first = tonumber(os.getenv("BENCH_FIRST"))
	local count = tonumber(os.getenv("BENCH_COUNT"))
	local n = 0
	for line in io.lines(os.getenv("BENCH_SEEDS")) do
		if n >= first and n < first + count and
		    (n - first) % nthreads == id then
			seeds[#seeds + 1] = line
		end
		n = n + 1
	end
end

local function take()
	if #queue > 0 then
		return table.remove(queue)
	end
	local s = seeds[seed_next]
	if s == nil then
		-- Out of fresh seeds: the results are flagged, not faked.
		exhausted = exhausted + 1
		return "exhausted"
	end
	seed_next = seed_next + 1
	return s
end

if mode ~= "fixed" then
	request = function()
		return wrk.format("POST", nil, headers, body .. take())
	end
end

if mode == "refresh" then
	response = function(status, hdrs, resp)
		local rt = resp:match('"refresh_token"%s*:%s*"([^"]+)"')
		if rt then
			queue[#queue + 1] = rt
		end
	end
end

if (tonumber(os.getenv("BENCH_LIMIT") or "0") or 0) > 0 then
	response = function(status, hdrs, resp)
		responses = responses + 1
		if responses >= limit then
			wrk.thread:stop()
		end
	end
end

function done(summary, latency, requests)
	local e = summary.errors
	local short = 0
	for _, t in ipairs(threads) do
		short = short + (t:get("exhausted") or 0)
	end
	io.write(string.format('BENCH {"requests":%d,"duration_us":%d,' ..
	    '"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,' ..
	    '"status":%d,"timeout":%d},"latency_us":{"p50":%d,"p90":%d,' ..
	    '"p99":%d,"max":%d,"mean":%.1f},"exhausted":%d}\n',
	    summary.requests, summary.duration, summary.bytes, e.connect,
	    e.read, e.write, e.status, e.timeout,
	    latency:percentile(50), latency:percentile(90),
	    latency:percentile(99), latency.max, latency.mean, short))
end
