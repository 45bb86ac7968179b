-- wrk script: POST one CloudTrail record per request, each with a unique event id and VPC id, so
-- every request goes the whole way: decode, catalog, state lookup, a drift event, the file sink.
-- Each wrk thread has its own Lua state: give each an id so event ids never collide across threads
-- (the detector would rightly skip repeated ids as duplicate deliveries).
counter = 0
local threads = 0
function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

-- DELAY_MS (environment) paces every connection: an open-loop rate instead of as-fast-as-possible.
local pause = tonumber(os.getenv("DELAY_MS") or "0")
function delay()
  return pause
end

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-token"

request = function()
  counter = counter + 1
  local id = string.format("%d-%d", tid or 0, counter)
  -- Real CloudTrail shapes: a UUID event id and the current time (the dedup memories age by it).
  local uuid = string.format("%08x-0000-4000-8000-%012x", tid or 0, counter)
  local body = '{"eventVersion":"1.08","eventTime":"' .. os.date("!%Y-%m-%dT%H:%M:%SZ") .. '","eventSource":"ec2.amazonaws.com",' ..
    '"eventName":"CreateVpc","eventID":"' .. uuid .. '","readOnly":false,"eventType":"AwsApiCall",' ..
    '"awsRegion":"us-east-1","recipientAccountId":"123456789012","userAgent":"aws-cli/2.15",' ..
    '"userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/bench","userName":"bench"},' ..
    '"requestParameters":{"cidrBlock":"10.0.0.0/16"},"responseElements":{"vpc":{"vpcId":"vpc-' .. id .. '"}}}'
  return wrk.format(nil, "/api/v1/events", nil, body)
end
