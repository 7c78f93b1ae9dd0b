// worker_pool: the pool of worker_pool.h. A call publishes its task and bumps `generation`;
// workers spinning on `generation` start at once, sleeping ones are woken through `wake`.
// Every worker checks in (decrements `pending`) for every call, so the caller can reuse the
// job fields as soon as `pending` reaches 0.

#include "worker_pool.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define SHEARS_SPIN_PAUSE() _mm_pause()
#elif defined(__aarch64__)
#define SHEARS_SPIN_PAUSE() __asm__ __volatile__("yield")
#else
#define SHEARS_SPIN_PAUSE() ((void)0)
#endif

/// Polls of `generation` a worker makes before it sleeps (~40 ns each: some 50-100 µs).
#define SHEARS_POOL_SPINS 2000

struct shears_pool {
    int32_t threads;
    pthread_t *workers;
    int32_t started;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    /// Bumped by each call (and by destroy); workers run a call when it differs from theirs.
    _Atomic uint64_t generation;
    /// Workers blocked (or about to block) on `wake`.
    _Atomic int32_t sleeping;
    /// Workers that have not yet finished the current call.
    _Atomic int32_t pending;
    /// The next index to claim.
    _Atomic int64_t next;
    /// Set while a call runs: a nested or concurrent call runs inline.
    atomic_flag busy;
    atomic_bool stop;
    shears_pool_task task;
    void *context;
    int64_t count;
};

static void run_indices(shears_pool *pool) {
    const int64_t count = pool->count;
    for (int64_t i = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed); i < count;
         i = atomic_fetch_add_explicit(&pool->next, 1, memory_order_relaxed)) {
        pool->task(pool->context, i);
    }
}

static void *worker_main(void *argument) {
    shears_pool *pool = argument;
    uint64_t seen = 0;
    for (;;) {
        uint64_t generation = atomic_load_explicit(&pool->generation, memory_order_acquire);
        for (int spin = 0; generation == seen && spin < SHEARS_POOL_SPINS; spin++) {
            SHEARS_SPIN_PAUSE();
            generation = atomic_load_explicit(&pool->generation, memory_order_acquire);
        }
        if (generation == seen) {
            pthread_mutex_lock(&pool->mutex);
            atomic_fetch_add(&pool->sleeping, 1);
            while ((generation = atomic_load(&pool->generation)) == seen) pthread_cond_wait(&pool->wake, &pool->mutex);
            atomic_fetch_sub(&pool->sleeping, 1);
            pthread_mutex_unlock(&pool->mutex);
        }
        seen = generation;
        if (atomic_load_explicit(&pool->stop, memory_order_acquire)) return NULL;
        run_indices(pool);
        atomic_fetch_sub_explicit(&pool->pending, 1, memory_order_release);
    }
}

shears_pool *shears_pool_create(int32_t threads) {
    shears_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->threads = threads < 1 ? 1 : threads;
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    atomic_init(&pool->generation, 0);
    atomic_init(&pool->sleeping, 0);
    atomic_init(&pool->pending, 0);
    atomic_init(&pool->next, 0);
    atomic_flag_clear(&pool->busy);
    atomic_init(&pool->stop, 0);
    pool->workers = calloc((size_t)pool->threads, sizeof(pthread_t));
    if (!pool->workers) { shears_pool_destroy(pool); return NULL; }
    for (int32_t k = 0; k + 1 < pool->threads; k++) {
        if (pthread_create(&pool->workers[k], NULL, worker_main, pool) != 0) { shears_pool_destroy(pool); return NULL; }
        pool->started++;
    }
    return pool;
}

/// Publishes a new generation and wakes the workers that sleep.
static void publish(shears_pool *pool) {
    atomic_fetch_add(&pool->generation, 1);
    if (atomic_load(&pool->sleeping) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
}

void shears_pool_destroy(shears_pool *pool) {
    if (!pool) return;
    atomic_store(&pool->stop, 1);
    publish(pool);
    for (int32_t k = 0; k < pool->started; k++) pthread_join(pool->workers[k], NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mutex);
    free(pool->workers);
    free(pool);
}

int32_t shears_pool_threads(const shears_pool *pool) { return pool->threads; }

void shears_pool_parallelize(shears_pool *pool, shears_pool_task task, void *context, int64_t count) {
    if (count <= 0) return;
    if (count == 1 || pool->started == 0 || atomic_flag_test_and_set_explicit(&pool->busy, memory_order_acquire)) {
        for (int64_t i = 0; i < count; i++) task(context, i);
        return;
    }
    pool->task = task;
    pool->context = context;
    pool->count = count;
    atomic_store_explicit(&pool->next, 0, memory_order_relaxed);
    atomic_store_explicit(&pool->pending, pool->started, memory_order_relaxed);
    publish(pool);
    run_indices(pool);
    for (int spin = 0; atomic_load_explicit(&pool->pending, memory_order_acquire) > 0; spin++) {
        if (spin < SHEARS_POOL_SPINS) SHEARS_SPIN_PAUSE(); else sched_yield();
    }
    atomic_flag_clear_explicit(&pool->busy, memory_order_release);
}
