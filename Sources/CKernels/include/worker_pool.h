// worker_pool: a persistent pool of threads for the engine's intra-image splits, in the manner
// of XNNPACK's pthreadpool and ONNX Runtime's pool: `threads − 1` workers plus the caller run
// the indices of one `shears_pool_parallelize` call, claimed one at a time from a shared
// counter. After a call the workers spin for a while (a few tens of µs) waiting for the next
// one, so back-to-back calls (the steps of one image) cost a couple of µs each; then they
// block on a condition variable and cost nothing. A call made while the pool is busy (from a
// task, or from another thread) runs all its indices on the calling thread.
#ifndef SHEARS_WORKER_POOL_H
#define SHEARS_WORKER_POOL_H

#include <stdint.h>

typedef struct shears_pool shears_pool;

/// One index of a parallel loop: `task(context, index)`.
typedef void (*shears_pool_task)(void *context, int64_t index);

/// A pool of `threads` threads in all (the caller and `threads − 1` workers, started here);
/// NULL when the workers cannot be started.
shears_pool *shears_pool_create(int32_t threads);

/// Stops and joins the workers, frees the pool. No call may be running.
void shears_pool_destroy(shears_pool *pool);

/// Threads the pool runs a call on (the caller included).
int32_t shears_pool_threads(const shears_pool *pool);

/// Runs `task(context, i)` for every i in [0, count), each exactly once, on the caller and
/// the workers; returns when all have finished.
void shears_pool_parallelize(shears_pool *pool, shears_pool_task task, void *context, int64_t count);

#endif
