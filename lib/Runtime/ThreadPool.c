/*===- ThreadPool.c - the threads that run parallel loops ----------------===*
 *
 * The compiler turns the outer parallel loops of large ops into OpenMP
 * regions (convert-scf-to-openmp), and LLVM's OpenMP lowering calls five
 * entry points of the OpenMP runtime ABI: fork a team that runs an outlined
 * function, ask for the calling thread's number, split a static loop among
 * the team, end such a loop, and wait at a barrier. This file implements
 * exactly those on a small pool of pthreads, so a model library needs no
 * OpenMP runtime. The symbols stay hidden inside the library.
 *
 * One parallel region runs at a time per library: a region that finds the
 * pool busy (another thread's run) or that starts inside a region runs on
 * its calling thread alone. Workers spin briefly after a region and then
 * sleep, so back-to-back regions of one run wake them cheaply.
 *
 *===----------------------------------------------------------------------===*/

#include "Runtime.h"

#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#define MAX_THREADS 256
#define MAX_TASK_ARGS 8
/* Polls of a waiting thread before it yields or sleeps. */
#define SPIN_POLLS 4000

typedef void (*microtask)(int32_t *gtid, int32_t *btid, ...);

/* What the current region runs. Written by the forking thread before the
 * generation is bumped, read by workers after they see the new generation. */
static struct {
  microtask task;
  int32_t argc;
  void *args[MAX_TASK_ARGS];
  int team_size;
} region;

static pthread_mutex_t pool_busy = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_t workers[MAX_THREADS];
static int num_workers;
static _Atomic uint64_t generation;
static _Atomic int unfinished;
static _Atomic int stopping;
static _Atomic int barrier_count;
static _Atomic uint64_t barrier_generation;

/* Threads a region uses; 0 until set or read from the environment. */
static _Atomic int64_t requested_threads;

static _Thread_local int32_t thread_number;
static _Thread_local int team_size = 1;
static _Thread_local int in_region;

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

int64_t lowbit_get_num_threads(void) {
  int64_t n = atomic_load(&requested_threads);
  if (n > 0)
    return n;
  const char *text = getenv("LOWBIT_NUM_THREADS");
  n = text ? strtoll(text, NULL, 10) : 1;
  if (n < 1)
    n = 1;
  if (n > MAX_THREADS)
    n = MAX_THREADS;
  int64_t expected = 0;
  atomic_compare_exchange_strong(&requested_threads, &expected, n);
  return atomic_load(&requested_threads);
}

lowbit_status lowbit_set_num_threads(int64_t n) {
  if (n < 1 || n > MAX_THREADS)
    return LOWBIT_ERROR_INVALID_ARGUMENT;
  atomic_store(&requested_threads, n);
  return LOWBIT_OK;
}

static void run_task(int32_t number) {
  int32_t bound = 0;
  void **a = region.args;
  thread_number = number;
  team_size = region.team_size;
  in_region = 1;
  switch (region.argc) {
  case 0: region.task(&number, &bound); break;
  case 1: region.task(&number, &bound, a[0]); break;
  case 2: region.task(&number, &bound, a[0], a[1]); break;
  case 3: region.task(&number, &bound, a[0], a[1], a[2]); break;
  case 4: region.task(&number, &bound, a[0], a[1], a[2], a[3]); break;
  case 5: region.task(&number, &bound, a[0], a[1], a[2], a[3], a[4]); break;
  case 6:
    region.task(&number, &bound, a[0], a[1], a[2], a[3], a[4], a[5]);
    break;
  case 7:
    region.task(&number, &bound, a[0], a[1], a[2], a[3], a[4], a[5], a[6]);
    break;
  default:
    region.task(&number, &bound, a[0], a[1], a[2], a[3], a[4], a[5], a[6],
                a[7]);
    break;
  }
  in_region = 0;
  team_size = 1;
  thread_number = 0;
}

/* Waits until `generation` moves past `seen`; false when stopping. */
static int wait_for_region(uint64_t seen) {
  for (int i = 0; i < SPIN_POLLS; ++i) {
    if (atomic_load_explicit(&generation, memory_order_acquire) != seen)
      return !atomic_load(&stopping);
    cpu_relax();
  }
  pthread_mutex_lock(&sleep_lock);
  while (atomic_load_explicit(&generation, memory_order_acquire) == seen &&
         !atomic_load(&stopping))
    pthread_cond_wait(&wake, &sleep_lock);
  pthread_mutex_unlock(&sleep_lock);
  return !atomic_load(&stopping);
}

/* The generation each worker was created in: a worker that starts running
 * only after its first region was announced must still take part in it. */
static uint64_t created_in[MAX_THREADS + 1];

static void *worker_main(void *argument) {
  int32_t number = (int32_t)(intptr_t)argument;
  uint64_t seen = created_in[number];
  while (wait_for_region(seen)) {
    seen = atomic_load_explicit(&generation, memory_order_acquire);
    if (number < region.team_size)
      run_task(number);
    atomic_fetch_sub_explicit(&unfinished, 1, memory_order_release);
  }
  return NULL;
}

/* Starts workers until `count` exist (the forking thread is number 0). */
static int ensure_workers(int count) {
  while (num_workers < count) {
    created_in[num_workers + 1] = atomic_load(&generation);
    if (pthread_create(&workers[num_workers], NULL, worker_main,
                       (void *)(intptr_t)(num_workers + 1)) != 0)
      break;
    ++num_workers;
  }
  return num_workers;
}

__attribute__((destructor)) static void stop_workers(void) {
  if (num_workers == 0)
    return;
  pthread_mutex_lock(&sleep_lock);
  atomic_store(&stopping, 1);
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&sleep_lock);
  for (int i = 0; i < num_workers; ++i)
    pthread_join(workers[i], NULL);
  num_workers = 0;
}

/* ---- The OpenMP runtime entry points LLVM's OpenMP lowering calls. ---- */

__attribute__((visibility("hidden"))) int32_t
__kmpc_global_thread_num(void *location) {
  (void)location;
  return thread_number;
}

__attribute__((visibility("hidden"))) void
__kmpc_fork_call(void *location, int32_t argc, microtask task, ...) {
  (void)location;
  va_list list;
  va_start(list, task);
  void *args[MAX_TASK_ARGS] = {0};
  for (int32_t i = 0; i < argc && i < MAX_TASK_ARGS; ++i)
    args[i] = va_arg(list, void *);
  va_end(list);

  int wanted = (int)lowbit_get_num_threads();
  int pooled = wanted > 1 && !in_region && argc <= MAX_TASK_ARGS &&
               pthread_mutex_trylock(&pool_busy) == 0;
  int team = pooled ? 1 + ensure_workers(wanted - 1) : 1;
  if (pooled && team > wanted)
    team = wanted;
  if (team == 1) {
    /* Alone: no barrier partners, no pool state touched by others. */
    if (pooled)
      pthread_mutex_unlock(&pool_busy);
    int saved_size = team_size, saved_in = in_region;
    int32_t saved_number = thread_number, number = 0, bound = 0;
    team_size = 1;
    in_region = 1;
    thread_number = 0;
    void **a = args;
    switch (argc) {
    case 0: task(&number, &bound); break;
    case 1: task(&number, &bound, a[0]); break;
    case 2: task(&number, &bound, a[0], a[1]); break;
    case 3: task(&number, &bound, a[0], a[1], a[2]); break;
    default: task(&number, &bound, a[0], a[1], a[2], a[3], a[4], a[5], a[6],
                  a[7]); break;
    }
    team_size = saved_size;
    in_region = saved_in;
    thread_number = saved_number;
    return;
  }
  region.task = task;
  region.argc = argc;
  for (int i = 0; i < MAX_TASK_ARGS; ++i)
    region.args[i] = args[i];
  region.team_size = team;
  atomic_store(&unfinished, num_workers);
  pthread_mutex_lock(&sleep_lock);
  atomic_fetch_add_explicit(&generation, 1, memory_order_release);
  pthread_cond_broadcast(&wake);
  pthread_mutex_unlock(&sleep_lock);
  run_task(0);
  for (int i = 0; atomic_load_explicit(&unfinished, memory_order_acquire) > 0;
       ++i) {
    if (i < SPIN_POLLS)
      cpu_relax();
    else
      sched_yield();
  }
  pthread_mutex_unlock(&pool_busy);
}

__attribute__((visibility("hidden"))) void __kmpc_barrier(void *location,
                                                          int32_t gtid) {
  (void)location;
  (void)gtid;
  if (team_size <= 1)
    return;
  uint64_t seen = atomic_load_explicit(&barrier_generation,
                                       memory_order_acquire);
  if (atomic_fetch_add_explicit(&barrier_count, 1, memory_order_acq_rel) ==
      team_size - 1) {
    atomic_store_explicit(&barrier_count, 0, memory_order_relaxed);
    atomic_fetch_add_explicit(&barrier_generation, 1, memory_order_release);
    return;
  }
  for (int i = 0; atomic_load_explicit(&barrier_generation,
                                       memory_order_acquire) == seen;
       ++i) {
    if (i < SPIN_POLLS)
      cpu_relax();
    else
      sched_yield();
  }
}

/* A static, unchunked schedule: each thread gets one contiguous, balanced
 * share of the iterations [*lower, *upper] (inclusive, step `increment`). */
#define STATIC_INIT(SUFFIX, T, UT)                                            \
  __attribute__((visibility("hidden"))) void                                  \
      __kmpc_for_static_init_##SUFFIX(void *location, int32_t gtid,          \
                                      int32_t schedule, int32_t *last,        \
                                      T *lower, T *upper, T *stride,          \
                                      T increment, T chunk) {                 \
    (void)location;                                                           \
    (void)gtid;                                                               \
    (void)schedule;                                                           \
    (void)chunk;                                                              \
    if (increment == 0)                                                       \
      increment = 1;                                                          \
    UT trips = increment > 0                                                  \
                   ? (UT)(*upper - *lower) / (UT)increment + 1                \
                   : (UT)(*lower - *upper) / (UT)(-increment) + 1;            \
    UT threads = (UT)team_size, me = (UT)thread_number;                       \
    if (threads <= 1) {                                                       \
      *last = 1;                                                              \
      *stride = (T)(trips * (UT)increment);                                   \
      return;                                                                 \
    }                                                                         \
    UT share = trips / threads, extra = trips % threads;                      \
    UT begin = me * share + (me < extra ? me : extra);                        \
    UT count = share + (me < extra ? 1 : 0);                                  \
    *stride = (T)(trips * (UT)increment);                                     \
    *last = begin + count == trips && count > 0;                              \
    if (count == 0) {                                                         \
      /* upper - lower + 1 == 0: no iterations. */                            \
      *lower = 1;                                                             \
      *upper = 0;                                                             \
      return;                                                                 \
    }                                                                         \
    T first = (T)((UT)*lower + begin * (UT)increment);                        \
    *lower = first;                                                           \
    *upper = (T)((UT)first + (count - 1) * (UT)increment);                    \
  }

STATIC_INIT(4, int32_t, uint32_t)
STATIC_INIT(4u, uint32_t, uint32_t)
STATIC_INIT(8, int64_t, uint64_t)
STATIC_INIT(8u, uint64_t, uint64_t)

__attribute__((visibility("hidden"))) void
__kmpc_for_static_fini(void *location, int32_t gtid) {
  (void)location;
  (void)gtid;
}
