package ratelimit

import (
	"context"
	"fmt"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

// Redis keeps buckets in Redis, so that the limits hold for every process
// that shares it: GCRA, one atomic script per take (go-redis/redis_rate).
// Buckets expire in Redis once full again.
type Redis struct {
	client  *redis.Client
	limiter *redis_rate.Limiter
}

// NewRedis connects to the Redis at url (redis://host:port/db, rediss://
// for TLS) and checks that it answers.
func NewRedis(ctx context.Context, url string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("REDIS_URL: %w", err)
	}
	client := redis.NewClient(opts)
	ping, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := client.Ping(ping).Err(); err != nil {
		client.Close()
		return nil, fmt.Errorf("REDIS_URL: Redis at %s does not answer: %w", opts.Addr, err)
	}
	return &Redis{client: client, limiter: redis_rate.NewLimiter(client)}, nil
}

// Take takes n tokens of key's bucket.
func (r *Redis) Take(ctx context.Context, key string, rt Rate, n int) (int, time.Duration, error) {
	res, err := r.limiter.AllowN(ctx, "generia:"+key, redis_rate.Limit{Rate: rt.N, Burst: rt.N, Period: rt.Period}, n)
	if err != nil {
		return 0, 0, err
	}
	if n > 0 && res.Allowed < n {
		return res.Remaining, max(res.RetryAfter, time.Millisecond), nil
	}
	return res.Remaining, 0, nil
}

// Ping checks that Redis answers, for readiness.
func (r *Redis) Ping(ctx context.Context) error { return r.client.Ping(ctx).Err() }

// Close closes the connections.
func (r *Redis) Close() error { return r.client.Close() }
