/*===- Allocator.c - the heap buffers of generated code ------------------===*
 *
 * The generated code allocates its intermediate buffers through
 * _mlir_memref_to_llvm_alloc / _mlir_memref_to_llvm_free (MLIR's
 * finalize-memref-to-llvm with use-generic-functions). A run of a model asks
 * for the same sizes in the same order every time, and large blocks from
 * malloc are fresh mmaps whose pages fault in again on every run. So freed
 * blocks are kept, by exact size, and handed out again; at most
 * CACHE_LIMIT_BYTES are kept, the rest go back to malloc.
 *
 *===----------------------------------------------------------------------===*/

#include "Runtime.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#define CACHE_LIMIT_BYTES ((size_t)1 << 30)
/* Blocks this small are cheap to malloc and not worth caching. */
#define MIN_CACHED_BYTES ((size_t)1 << 14)

/* Each block starts with this header; the generated code sees what follows
 * (64-byte aligned, so its own alignment of the pointer changes nothing). */
typedef struct block {
  size_t size;
  struct block *next;
  char padding[64 - sizeof(size_t) - sizeof(struct block *)];
} block;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static block *cached;
static size_t cached_bytes;

__attribute__((visibility("hidden"))) void *
_mlir_memref_to_llvm_alloc(uint64_t size) {
  if (size >= MIN_CACHED_BYTES) {
    pthread_mutex_lock(&cache_lock);
    for (block **link = &cached; *link; link = &(*link)->next) {
      if ((*link)->size != size)
        continue;
      block *found = *link;
      *link = found->next;
      cached_bytes -= size;
      pthread_mutex_unlock(&cache_lock);
      return found + 1;
    }
    pthread_mutex_unlock(&cache_lock);
  }
  block *fresh = NULL;
  if (posix_memalign((void **)&fresh, 64, sizeof(block) + size) != 0)
    return NULL;
  fresh->size = size;
  return fresh + 1;
}

__attribute__((visibility("hidden"))) void
_mlir_memref_to_llvm_free(void *pointer) {
  if (!pointer)
    return;
  block *freed = (block *)pointer - 1;
  if (freed->size >= MIN_CACHED_BYTES) {
    pthread_mutex_lock(&cache_lock);
    if (cached_bytes + freed->size <= CACHE_LIMIT_BYTES) {
      freed->next = cached;
      cached = freed;
      cached_bytes += freed->size;
      pthread_mutex_unlock(&cache_lock);
      return;
    }
    pthread_mutex_unlock(&cache_lock);
  }
  free(freed);
}

__attribute__((destructor)) static void release_cache(void) {
  while (cached) {
    block *next = cached->next;
    free(cached);
    cached = next;
  }
  cached_bytes = 0;
}
