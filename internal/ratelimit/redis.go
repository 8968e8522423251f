package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis keeps buckets in Redis, so that the limits hold for every process
// that shares it: GCRA, one atomic script per take, the same rule as the
// Memory backend's. Buckets expire in Redis once full again.
type Redis struct {
	client *redis.Client
}

// gcra takes ARGV[3] tokens (0 looks, fewer than 0 gives them back) of the
// bucket at KEYS[1], of ARGV[1] tokens refilled one every ARGV[2]
// microseconds. The key holds the bucket's theoretical arrival time in
// microseconds of Redis's clock; a full bucket has no key. It answers the
// tokens left and, when they could not be taken (a look: when none is
// left), the microseconds until they can. Written here rather than taken from redis_rate because a
// bucket must be able to take tokens back exactly (a request refused as
// invalid spends nothing), which redis_rate's script loses when the bucket
// is one token short of full.
var gcra = redis.NewScript(`
local burst = tonumber(ARGV[1])
local interval = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call("GET", KEYS[1]) or now)
if tat < now then tat = now end
local function left(at) return math.floor((now - (at - burst * interval)) / interval) end
local function keep(at)
  if at <= now then
    redis.call("DEL", KEYS[1])
  else
    redis.call("SET", KEYS[1], string.format("%d", at), "PX", math.ceil((at - now) / 1000))
  end
end
if cost <= 0 then
  if cost < 0 then
    tat = math.max(now, tat + cost * interval)
    keep(tat)
  end
  return {left(tat), math.max(0, tat + interval - burst * interval - now)}
end
local nxt = tat + cost * interval
local allow_at = nxt - burst * interval
if now < allow_at then
  return {left(tat), allow_at - now}
end
keep(nxt)
return {left(nxt), 0}
`)

// NewRedis connects to the Redis at url (redis://host:port/db, rediss://
// for TLS) and checks that it answers. Its timeouts are short, unless the
// URL sets them: a limit that waits seconds on a Redis gone away holds up
// every request, when this process's memory could answer at once (see
// Fallback).
func NewRedis(ctx context.Context, url string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	if opts.DialTimeout == 0 {
		opts.DialTimeout = time.Second
	}
	if opts.ReadTimeout == 0 {
		opts.ReadTimeout = time.Second
	}
	if opts.WriteTimeout == 0 {
		opts.WriteTimeout = time.Second
	}
	if opts.MaxRetries == 0 {
		opts.MaxRetries = 1
	}
	if opts.DialerRetries == 0 {
		opts.DialerRetries = 1 // not 5 with backoff: memory answers meanwhile
	}
	client := redis.NewClient(opts)
	ping, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(ping).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("REDIS_URL: Redis at %s does not answer: %w", opts.Addr, err)
	}
	return &Redis{client: client}, nil
}

// Take takes n tokens of key's bucket (0 looks, fewer than 0 gives -n
// back).
func (r *Redis) Take(ctx context.Context, key string, rt Rate, n int) (int, time.Duration, error) {
	interval := max(rt.interval().Microseconds(), 1)
	res, err := gcra.Run(ctx, r.client, []string{"generia:" + key}, rt.N, interval, n).Int64Slice()
	if err != nil {
		return 0, 0, err
	}
	if len(res) != 2 {
		return 0, 0, fmt.Errorf("rate limit script answered %v", res)
	}
	return int(res[0]), time.Duration(res[1]) * time.Microsecond, nil
}

// Ping checks that Redis answers, for readiness.
func (r *Redis) Ping(ctx context.Context) error { return r.client.Ping(ctx).Err() }

// Close closes the connections.
func (r *Redis) Close() error { return r.client.Close() }
