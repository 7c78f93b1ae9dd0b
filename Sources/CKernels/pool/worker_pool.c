// worker_pool: the pool of worker_pool.h. One 64-bit word, `state`, holds the current call's
// generation (high 32 bits) and its next unclaimed index (low 32 bits). A call first stores
// its new generation with the index `CLOSED` (no claim can succeed: every compare-and-swap
// against the previous call's state now fails), then its task, then index 0. Threads claim
// indices by compare-and-swap on `state`, so a worker that wakes late never runs a stale task
// nor reads a half-written one. The caller claims indices too and returns when `done` reaches the count: it waits only
// for indices a worker has claimed, never for a worker that has not woken (on a busy machine a
// descheduled worker costs nothing but its share going to the caller). Idle workers spin on
// `state` for a while, then sleep on `wake`.

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

/// Polls of `state` an idle worker makes before it sleeps (some 50-100 µs).
#define SHEARS_POOL_SPINS 2000

struct shears_pool {
    int32_t threads;
    int32_t started;
    pthread_t *workers;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    /// generation << 32 | next index to claim.
    _Atomic uint64_t state;
    /// Indices of the current call that have finished.
    _Atomic int64_t done;
    /// Workers blocked (or about to block) on `wake`.
    _Atomic int32_t sleeping;
    atomic_bool stop;
    /// Set while a call runs: a nested or concurrent call runs inline.
    atomic_flag busy;
    /// The current call (read by workers only through a successful claim).
    _Atomic(shears_pool_task) task;
    _Atomic(void *) context;
    _Atomic int64_t count;
};

/// The index of a call whose task is being written.
#define CLOSED UINT32_MAX

static uint32_t generation_of(uint64_t state) { return (uint32_t)(state >> 32); }

/// Claims and runs indices of generation `generation` until none is left (or a newer call
/// has started).
static void run_indices(shears_pool *pool, uint32_t generation) {
    uint64_t state = atomic_load_explicit(&pool->state, memory_order_acquire);
    for (;;) {
        if (generation_of(state) != generation) return;
        if ((uint32_t)state == CLOSED) {  // the caller is writing the task
            SHEARS_SPIN_PAUSE();
            state = atomic_load_explicit(&pool->state, memory_order_acquire);
            continue;
        }
        shears_pool_task task = atomic_load_explicit(&pool->task, memory_order_acquire);
        void *context = atomic_load_explicit(&pool->context, memory_order_acquire);
        int64_t count = atomic_load_explicit(&pool->count, memory_order_acquire);
        int64_t index = (int64_t)(uint32_t)state;
        if (index >= count) return;
        // Success means the call has not changed since `state` was read (and its task was
        // complete then), so task, context and count are this call's: a newer call's field
        // (stored with release after its closing store) would have made the swap fail.
        if (atomic_compare_exchange_weak_explicit(&pool->state, &state, state + 1, memory_order_acquire, memory_order_acquire)) {
            task(context, index);
            atomic_fetch_add_explicit(&pool->done, 1, memory_order_release);
            state = atomic_load_explicit(&pool->state, memory_order_acquire);
        }
    }
}

static void *worker_main(void *argument) {
    shears_pool *pool = argument;
    uint32_t seen = 0;
    for (;;) {
        uint32_t generation = generation_of(atomic_load_explicit(&pool->state, memory_order_acquire));
        for (int spin = 0; generation == seen && spin < SHEARS_POOL_SPINS; spin++) {
            SHEARS_SPIN_PAUSE();
            generation = generation_of(atomic_load_explicit(&pool->state, memory_order_acquire));
        }
        if (generation == seen) {
            pthread_mutex_lock(&pool->mutex);
            atomic_fetch_add(&pool->sleeping, 1);
            while ((generation = generation_of(atomic_load(&pool->state))) == seen) pthread_cond_wait(&pool->wake, &pool->mutex);
            atomic_fetch_sub(&pool->sleeping, 1);
            pthread_mutex_unlock(&pool->mutex);
        }
        seen = generation;
        if (atomic_load_explicit(&pool->stop, memory_order_acquire)) return NULL;
        run_indices(pool, generation);
    }
}

/// Starts a new generation (closed, then the task written, then open at index 0) and wakes
/// the workers that sleep.
static uint32_t publish(shears_pool *pool, shears_pool_task task, void *context, int64_t count) {
    uint64_t next = ((uint64_t)generation_of(atomic_load(&pool->state)) + 1) << 32;
    atomic_store(&pool->state, next | CLOSED);
    atomic_store_explicit(&pool->task, task, memory_order_release);
    atomic_store_explicit(&pool->context, context, memory_order_release);
    atomic_store_explicit(&pool->count, count, memory_order_release);
    atomic_store_explicit(&pool->done, 0, memory_order_relaxed);
    atomic_store(&pool->state, next);
    if (atomic_load(&pool->sleeping) > 0) {
        pthread_mutex_lock(&pool->mutex);
        pthread_cond_broadcast(&pool->wake);
        pthread_mutex_unlock(&pool->mutex);
    }
    return generation_of(next);
}

shears_pool *shears_pool_create(int32_t threads) {
    shears_pool *pool = calloc(1, sizeof *pool);
    if (!pool) return NULL;
    pool->threads = threads < 1 ? 1 : threads;
    pthread_mutex_init(&pool->mutex, NULL);
    pthread_cond_init(&pool->wake, NULL);
    atomic_init(&pool->state, 0);
    atomic_init(&pool->done, 0);
    atomic_init(&pool->sleeping, 0);
    atomic_init(&pool->stop, 0);
    atomic_flag_clear(&pool->busy);
    atomic_init(&pool->task, NULL);
    atomic_init(&pool->context, NULL);
    atomic_init(&pool->count, 0);
    pool->workers = calloc((size_t)pool->threads, sizeof(pthread_t));
    if (!pool->workers) { shears_pool_destroy(pool); return NULL; }
    for (int32_t k = 0; k + 1 < pool->threads; k++) {
        if (pthread_create(&pool->workers[k], NULL, worker_main, pool) != 0) { shears_pool_destroy(pool); return NULL; }
        pool->started++;
    }
    return pool;
}

void shears_pool_destroy(shears_pool *pool) {
    if (!pool) return;
    atomic_store(&pool->stop, 1);
    publish(pool, NULL, NULL, 0);
    for (int32_t k = 0; k < pool->started; k++) pthread_join(pool->workers[k], NULL);
    pthread_cond_destroy(&pool->wake);
    pthread_mutex_destroy(&pool->mutex);
    free(pool->workers);
    free(pool);
}

int32_t shears_pool_threads(const shears_pool *pool) { return pool->threads; }

void shears_pool_parallelize(shears_pool *pool, shears_pool_task task, void *context, int64_t count) {
    if (count <= 0) return;
    if (count == 1 || count > UINT32_MAX / 2 || pool->started == 0 ||
        atomic_flag_test_and_set_explicit(&pool->busy, memory_order_acquire)) {
        for (int64_t i = 0; i < count; i++) task(context, i);
        return;
    }
    run_indices(pool, publish(pool, task, context, count));
    for (int spin = 0; atomic_load_explicit(&pool->done, memory_order_acquire) < count; spin++) {
        if (spin < SHEARS_POOL_SPINS) SHEARS_SPIN_PAUSE(); else sched_yield();
    }
    atomic_flag_clear_explicit(&pool->busy, memory_order_release);
}
