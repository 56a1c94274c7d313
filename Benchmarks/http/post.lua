-- wrk script: POST one small structured CloudEvent per request, keep-alive.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/cloudevents+json"
local n = 0
request = function()
  n = n + 1
  local body = '{"specversion":"1.0","id":"' .. n .. '","source":"/bench","type":"bench.event","data":{"n":' .. n .. '}}'
  return wrk.format(nil, "/topics/bench/events", nil, body)
end
