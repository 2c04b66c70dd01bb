-- rotating.lua: a wrk script that posts a different GraphQL request each
-- time, taking the JSON bodies of the file $BODIES (one a line) in turn
-- (wrk -t1: one Lua state, so one rotation for all connections),
-- so that neither the response cache nor a repeated plan hides what an
-- answer costs. $AUTH, when set, is sent as the Authorization header.
-- bench/rotating.sh writes the bodies and reads the RESULT line.
local bodies = {}
for line in io.lines(os.getenv("BODIES")) do
  if line ~= "" then bodies[#bodies + 1] = line end
end
assert(#bodies > 0, "no bodies in " .. os.getenv("BODIES"))

local headers = { ["Content-Type"] = "application/json" }
local auth = os.getenv("AUTH")
if auth and auth ~= "" then headers["Authorization"] = auth end

-- $OFFSET: the number of bodies to skip, so that successive runs start in
-- different places.
local i = tonumber(os.getenv("OFFSET") or "0") % #bodies
function request()
  i = i % #bodies + 1
  return wrk.format("POST", nil, headers, bodies[i])
end

local failed = 0
function response(status, headers, body)
  if status ~= 200 or string.find(body, '"errors"', 1, true) then failed = failed + 1 end
end

function done(summary, latency, requests)
  local e = summary.errors
  -- RESULT requests requests/s p50_ms p99_ms errors (wrk's and answers with errors)
  io.write(string.format("RESULT %d %.1f %.3f %.3f %d\n",
    summary.requests, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    e.connect + e.read + e.write + e.status + e.timeout + failed))
end
