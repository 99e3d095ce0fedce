-- wrk script for benchmarks/pages.py: counts every status (so a redirect to the login
-- page counts as a failure, which wrk's own "Non-2xx or 3xx" does not) and prints one
-- JSON line with the latency percentiles (microseconds) and the totals.
-- With PAGES_THINK_MS set, each connection waits about that long (0.5x to 1.5x, at
-- random) before each request: users who read the page, not a saturating loop.
local threads = {}
local think = tonumber(os.getenv("PAGES_THINK_MS") or "0") or 0

if think > 0 then
  function delay()
    return math.random(math.floor(think / 2), math.floor(think * 3 / 2))
  end
end

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[status] = (counts[status] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do
    table.insert(parts, string.format('"%d": %d', status, n))
  end
  local e = summary.errors
  io.write(string.format(
    'PAGES_JSON {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d, "mean": %.1f, ' ..
    '"errors": {"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}, ' ..
    '"statuses": {%s}}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout, table.concat(parts, ", ")))
end
