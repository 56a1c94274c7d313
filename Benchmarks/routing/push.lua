-- wrk script: POST one binary-mode CloudEvent per request, as a push subscription does (the same headers,
-- ~1 KiB of JSON data), keep-alive. The baseline of Benchmarks/routing/run.sh.
wrk.method = "POST"
local filler = string.rep("x", 1024 - 40)
local n = 0
request = function()
  n = n + 1
  local headers = {
    ["ce-specversion"] = "1.0",
    ["ce-id"] = "evt-" .. n,
    ["ce-source"] = "/shops/eu/" .. (n % 50),
    ["ce-type"] = "com.example.orders.created",
    ["Content-Type"] = "application/json",
    ["ce-subject"] = "order-" .. (100000 + n),
    ["ce-time"] = "2026-11-23T12:00:00Z",
    ["ce-priority"] = "normal",
    ["ce-region"] = "eu-west",
    ["Plexus-Subscription"] = "bench",
    ["Plexus-Attempt"] = "1",
    ["Plexus-Origin"] = "bench/0/" .. n,
  }
  local body = '{"order":' .. n .. ',"items":"' .. filler .. '"}'
  return wrk.format(nil, "/events", headers, body)
end
