-- wrk: 16 requests per write (HTTP/1.1 pipelining, 16 deep). wrk counts each response.
-- Usage: wrk -s pipeline.lua URL -- [DEPTH]
local depth = 16
init = function(args)
  if args[1] then depth = tonumber(args[1]) end
  local r = {}
  for i = 1, depth do r[i] = wrk.format(nil) end
  req = table.concat(r)
end
request = function() return req end
