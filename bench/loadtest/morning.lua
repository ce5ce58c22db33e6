-- The morning peak for wrk: families and pupils read the diary, teachers save marks.
-- wrk -t2 -c32 -d60s -s bench/loadtest/morning.lua http://127.0.0.1:8123 -- <mix> <targets.lua>
--   mix: "morning" (the mix below), or one kind only: "diary_week", "diary_subject", "mark_save", "health"
--   (the trivial view, the framework's own ceiling)
-- Every mark save carries a new idempotency key and a value, so it really writes.

local mix_name, targets_path = "morning", "bench/data/loadtest/targets.lua"
local data
local counts = {}
local thread_id = 0
local threads = {}

-- (kind, weight): about a quarter of the requests are teachers' saves.
local MIXES = {
  morning = { {"diary_week", 55}, {"diary_subject", 10}, {"diary_feed", 10}, {"mark_save", 25} },
  diary_week = { {"diary_week", 1} },
  diary_subject = { {"diary_subject", 1} },
  mark_save = { {"mark_save", 1} },
  health = { {"health", 1} },
}

function setup(thread)
  thread_id = thread_id + 1
  thread:set("id", thread_id)
  table.insert(threads, thread)
end

local function pick_kind(mix)
  local total = 0
  for _, item in ipairs(mix) do total = total + item[2] end
  local roll = math.random() * total
  for _, item in ipairs(mix) do
    roll = roll - item[2]
    if roll <= 0 then return item[1] end
  end
  return mix[#mix][1]
end

local function new_key()
  return string.format("%08x-%04x-4%03x-a%03x-%06x%06x", math.random(0, 0xffffffff), math.random(0, 0xffff),
    math.random(0, 0xfff), math.random(0, 0xfff), math.random(0, 0xffffff), math.random(0, 0xffffff))
end

function init(args)
  mix_name = args[1] or mix_name
  targets_path = args[2] or targets_path
  data = dofile(targets_path)
  math.randomseed(os.time() + (id or 0) * 7919)
  mix = MIXES[mix_name]
  if mix == nil then error("unknown mix " .. mix_name) end
  errors_by_kind, sent_by_kind, last_kind = {}, {}, {}
end

function request()
  local kind = pick_kind(mix)
  sent_by_kind[kind] = (sent_by_kind[kind] or 0) + 1
  if kind == "health" then
    return wrk.format("GET", "/health/")
  end
  if kind == "mark_save" then
    local t = data.writers[math.random(#data.writers)]
    local cell = t.cells[math.random(#t.cells)]
    local values = {"5", "4", "3", "4-", "5", "н"}
    local body = "value=" .. values[math.random(#values)] .. "&key=" .. new_key() .. "&row=1"
    return wrk.format("POST", "/journal/lessons/" .. cell[1] .. "/cells/" .. cell[2] .. "/", {
      ["Cookie"] = "sessionid=" .. t.cookie .. "; csrftoken=" .. t.csrf,
      ["X-CSRFToken"] = t.csrf,
      ["Accept"] = "application/json",
      ["Content-Type"] = "application/x-www-form-urlencoded",
    }, body)
  end
  local r = data.readers[math.random(#data.readers)]
  local path = "/diary/" .. r.student .. "/week/"
  if kind == "diary_subject" then
    path = "/diary/" .. r.student .. "/subject/" .. r.subjects[math.random(#r.subjects)] .. "/"
  elseif kind == "diary_feed" then
    path = "/diary/" .. r.student .. "/marks/"
  end
  return wrk.format("GET", path, { ["Cookie"] = "sessionid=" .. r.cookie })
end

-- Responses on a thread's several connections come back in any order, so they are counted by status only.
function response(status, headers, body)
  if status ~= 200 then
    local key = tostring(status)
    errors_by_kind[key] = (errors_by_kind[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local sent, errors = {}, {}
  for _, thread in ipairs(threads) do
    for k, v in pairs(thread:get("sent_by_kind") or {}) do sent[k] = (sent[k] or 0) + v end
    for k, v in pairs(thread:get("errors_by_kind") or {}) do errors[k] = (errors[k] or 0) + v end
  end
  local function obj(t)
    local parts = {}
    for k, v in pairs(t) do table.insert(parts, string.format('"%s": %d', k, v)) end
    return "{" .. table.concat(parts, ", ") .. "}"
  end
  io.write(string.format(
    'RESULT {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, "p99_ms": %.2f, ' ..
    '"max_ms": %.2f, "errors_connect": %d, "errors_read": %d, "errors_write": %d, "errors_timeout": %d, ' ..
    '"errors_status": %d, "sent": %s, "non200": %s}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.timeout, summary.errors.status, obj(sent), obj(errors)))
end
