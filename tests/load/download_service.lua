-- wrk script for tests/load/download_service.sh: a fixed mix of requests to the download
-- service, each with the one status it must get, checked on every response.
--
-- Run with as many connections as threads (-t N -c N): each thread then has one connection
-- with one request in flight, and wrk asks request() for the next one only after the answer
-- to the last, so a response answers the request made last. (Not the i-th made: wrk 4.1 calls
-- request() once at a thread's start for a request it never sends.) done() prints the counts
-- and exits 1 on any wrong answer.
--
-- The tokens and jobs are those the script starts the service with:
--   --grant tok-alice-0123456789=123,124 --grant tok-bob-9876543210=200 --job 300

local mix = {
  -- valid: a granted token asking for its job: 302 to a presigned URL
  {kind = "valid", status = 302, path = "/api/v1/results/123/download", auth = "Bearer tok-alice-0123456789"},
  {kind = "valid", status = 302, path = "/api/v1/results/124/download", auth = "bearer tok-alice-0123456789"},
  {kind = "valid", status = 302, path = "/api/v1/results/200/download", auth = "Bearer tok-bob-9876543210"},
  -- tampered: a valid token with one character changed, or one token's request for another's job
  {kind = "tampered", status = 401, path = "/api/v1/results/123/download", auth = "Bearer tok-alice-0123456788"},
  {kind = "tampered", status = 401, path = "/api/v1/results/123/download", auth = "Bearer tok-alice-012345678"},
  {kind = "tampered", status = 403, path = "/api/v1/results/200/download", auth = "Bearer tok-alice-0123456789"},
  {kind = "tampered", status = 403, path = "/api/v1/results/300/download", auth = "Bearer tok-bob-9876543210"},
  -- expired: a token that is no longer granted (the service knows no such token)
  {kind = "expired", status = 401, path = "/api/v1/results/123/download", auth = "Bearer tok-revoked-000000000"},
  -- malformed: no or another authorization scheme, malformed or unknown job ids
  {kind = "malformed", status = 401, path = "/api/v1/results/123/download", auth = nil},
  {kind = "malformed", status = 401, path = "/api/v1/results/123/download", auth = "Basic dG9rLWFsaWNlOng="},
  {kind = "malformed", status = 401, path = "/api/v1/results/123/download", auth = "Bearer"},
  {kind = "malformed", status = 404, path = "/api/v1/results/12.3/download", auth = "Bearer tok-alice-0123456789"},
  {kind = "malformed", status = 404, path = "/api/v1/results/..%2F123/download", auth = "Bearer tok-alice-0123456789"},
  {kind = "malformed", status = 404, path = "/api/v1/results/999/download", auth = "Bearer tok-alice-0123456789"},
  {kind = "malformed", status = 404, path = "/api/v1/results/" .. string.rep("9", 80) .. "/download",
   auth = "Bearer tok-alice-0123456789"},
}

local threads = {}

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  sent = 0      -- requests made by this thread
  last = 1      -- the index in mix of the request made last
  answered = 0  -- responses checked
  wrong = 0
  wrong_first = ""
  counts = {}
  for _, m in ipairs(mix) do counts[m.kind .. " " .. m.status] = 0 end
  requests = {}
  for i, m in ipairs(mix) do
    local headers = {}
    if m.auth then headers["Authorization"] = m.auth end
    requests[i] = wrk.format("GET", m.path, headers)
  end
  -- the counts, flattened for done() (thread:get returns plain values only)
  summary = ""
end

function request()
  sent = sent + 1
  last = (sent - 1) % #mix + 1
  return requests[last]
end

function response(status, headers, body)
  answered = answered + 1
  local m = mix[last]
  local ok = status == m.status
  if ok and status == 302 then
    local loc = headers["Location"] or headers["location"] or ""
    ok = loc:find("^https://files%.example/") ~= nil and loc:find("X%-Amz%-Signature=", 1) ~= nil
  end
  if ok then
    counts[m.kind .. " " .. m.status] = counts[m.kind .. " " .. m.status] + 1
  else
    wrong = wrong + 1
    if wrong_first == "" then wrong_first = m.kind .. " " .. m.path .. " got " .. status end
  end
  local parts = {}
  for k, v in pairs(counts) do table.insert(parts, k .. "=" .. v) end
  summary = table.concat(parts, ",")
end

function done(stats, latency, requests)
  local total_wrong, total = 0, 0
  local merged = {}
  for _, t in ipairs(threads) do
    total_wrong = total_wrong + t:get("wrong")
    total = total + t:get("answered")
    local first = t:get("wrong_first")
    if first ~= "" then io.write("first wrong answer: ", first, "\n") end
    for k, v in string.gmatch(t:get("summary"), "([^,=]+)=(%d+)") do merged[k] = (merged[k] or 0) + tonumber(v) end
  end
  local keys = {}
  for k in pairs(merged) do table.insert(keys, k) end
  table.sort(keys)
  for _, k in ipairs(keys) do io.write(string.format("  %-14s %d\n", k, merged[k])) end
  io.write(string.format("checked %d answers, %d wrong; socket errors: connect %d read %d write %d timeout %d; non-2xx/3xx %d\n",
    total, total_wrong, stats.errors.connect, stats.errors.read, stats.errors.write, stats.errors.timeout,
    stats.errors.status))
  io.write(string.format("latency p50 %.0f us, p90 %.0f us, p99 %.0f us, max %.0f us\n",
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
  if total_wrong > 0 or total == 0 or stats.errors.connect + stats.errors.read + stats.errors.write + stats.errors.timeout > 0 then
    io.write("LOAD TEST FAILED\n")
    os.exit(1)
  end
end
