/*===- CUDARuntime.c - the mgpu* functions GPU models call, over libcuda -===*
 *
 * MLIR's GPU-to-LLVM lowering turns gpu.alloc, gpu.memcpy, gpu.launch_func
 * and the stream that orders them into calls of the mgpu* functions below;
 * the gpu.binary of the kernels is loaded by a constructor of the model
 * library through mgpuModuleLoad. This file implements them over the CUDA
 * driver API, which it opens with dlopen at first use: a model library needs
 * neither libcuda to load nor libMLIR at all.
 *
 * The functions return nothing to the generated code, so errors are kept:
 * the first failure of a run is recorded per thread, later calls of that run
 * do nothing (frees and stream teardown still happen), and lowbit_run turns
 * the record into LOWBIT_ERROR_DEVICE with the message (see Runtime.h).
 *
 *===----------------------------------------------------------------------===*/

#include "../Runtime.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The few driver API types used here (cuda.h is not needed to build). */
typedef int CUresult;
typedef int CUdevice;
typedef struct CUctx_st *CUcontext;
typedef struct CUmod_st *CUmodule;
typedef struct CUfunc_st *CUfunction;
typedef struct CUstream_st *CUstream;
typedef struct CUevent_st *CUevent;
typedef unsigned long long CUdeviceptr;
typedef struct CUmemPoolHandle_st *CUmemoryPool;
enum {
  CUDA_SUCCESS = 0,
  CU_STREAM_NON_BLOCKING = 1,
  CU_MEMPOOL_ATTR_RELEASE_THRESHOLD = 4
};

static struct {
  CUresult (*Init)(unsigned);
  CUresult (*DeviceGet)(CUdevice *, int);
  CUresult (*DevicePrimaryCtxRetain)(CUcontext *, CUdevice);
  CUresult (*CtxSetCurrent)(CUcontext);
  CUresult (*GetErrorName)(CUresult, const char **);
  CUresult (*GetErrorString)(CUresult, const char **);
  CUresult (*ModuleLoadData)(CUmodule *, const void *);
  CUresult (*ModuleUnload)(CUmodule);
  CUresult (*ModuleGetFunction)(CUfunction *, CUmodule, const char *);
  CUresult (*LaunchKernel)(CUfunction, unsigned, unsigned, unsigned, unsigned,
                           unsigned, unsigned, unsigned, CUstream, void **,
                           void **);
  CUresult (*StreamCreate)(CUstream *, unsigned);
  CUresult (*StreamSynchronize)(CUstream);
  CUresult (*StreamDestroy)(CUstream);
  CUresult (*StreamWaitEvent)(CUstream, CUevent, unsigned);
  CUresult (*MemAllocAsync)(CUdeviceptr *, size_t, CUstream);
  CUresult (*MemFreeAsync)(CUdeviceptr, CUstream);
  CUresult (*MemcpyAsync)(CUdeviceptr, CUdeviceptr, size_t, CUstream);
  CUresult (*MemsetD32Async)(CUdeviceptr, unsigned, size_t, CUstream);
  CUresult (*EventCreate)(CUevent *, unsigned);
  CUresult (*EventRecord)(CUevent, CUstream);
  CUresult (*EventDestroy)(CUevent);
  CUresult (*MemAlloc)(CUdeviceptr *, size_t);
  CUresult (*MemcpyHtoD)(CUdeviceptr, const void *, size_t);
  /* Optional (looked up, not required). */
  CUresult (*DeviceGetDefaultMemPool)(CUmemoryPool *, CUdevice);
  CUresult (*MemPoolSetAttribute)(CUmemoryPool, int, void *);
} cu;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CUcontext primary_context;
/* Why the driver or the kernels are unusable; empty when they are fine. */
static char init_error[LOWBIT_ERROR_CAPACITY];
static char load_error[LOWBIT_ERROR_CAPACITY];

static __thread int run_failed;
static __thread char run_error[LOWBIT_ERROR_CAPACITY];

static void describe(CUresult result, char *out, size_t capacity,
                     const char *call) {
  const char *name = NULL, *text = NULL;
  if (cu.GetErrorName)
    cu.GetErrorName(result, &name);
  if (cu.GetErrorString)
    cu.GetErrorString(result, &text);
  snprintf(out, capacity, "CUDA error in %s: %s (%s)", call,
           name ? name : "unknown error", text ? text : "no description");
}

static void load_driver(void) {
  void *library = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (!library) {
    const char *why = dlerror();
    snprintf(init_error, sizeof(init_error),
             "cannot load the CUDA driver library libcuda.so.1 (is an NVIDIA "
             "driver installed?): %s",
             why ? why : "dlopen failed");
    return;
  }
  struct {
    void **slot;
    const char *name;
  } symbols[] = {
      {(void **)&cu.Init, "cuInit"},
      {(void **)&cu.DeviceGet, "cuDeviceGet"},
      {(void **)&cu.DevicePrimaryCtxRetain, "cuDevicePrimaryCtxRetain"},
      {(void **)&cu.CtxSetCurrent, "cuCtxSetCurrent"},
      {(void **)&cu.GetErrorName, "cuGetErrorName"},
      {(void **)&cu.GetErrorString, "cuGetErrorString"},
      {(void **)&cu.ModuleLoadData, "cuModuleLoadData"},
      {(void **)&cu.ModuleUnload, "cuModuleUnload"},
      {(void **)&cu.ModuleGetFunction, "cuModuleGetFunction"},
      {(void **)&cu.LaunchKernel, "cuLaunchKernel"},
      {(void **)&cu.StreamCreate, "cuStreamCreate"},
      {(void **)&cu.StreamSynchronize, "cuStreamSynchronize"},
      {(void **)&cu.StreamDestroy, "cuStreamDestroy_v2"},
      {(void **)&cu.StreamWaitEvent, "cuStreamWaitEvent"},
      {(void **)&cu.MemAllocAsync, "cuMemAllocAsync"},
      {(void **)&cu.MemFreeAsync, "cuMemFreeAsync"},
      {(void **)&cu.MemcpyAsync, "cuMemcpyAsync"},
      {(void **)&cu.MemsetD32Async, "cuMemsetD32Async"},
      {(void **)&cu.EventCreate, "cuEventCreate"},
      {(void **)&cu.EventRecord, "cuEventRecord"},
      {(void **)&cu.EventDestroy, "cuEventDestroy_v2"},
      {(void **)&cu.MemAlloc, "cuMemAlloc_v2"},
      {(void **)&cu.MemcpyHtoD, "cuMemcpyHtoD_v2"},
  };
  for (size_t i = 0; i < sizeof(symbols) / sizeof(symbols[0]); ++i) {
    *symbols[i].slot = dlsym(library, symbols[i].name);
    if (!*symbols[i].slot) {
      snprintf(init_error, sizeof(init_error),
               "the CUDA driver library has no %s (driver too old; CUDA 11.2 "
               "or newer is needed)",
               symbols[i].name);
      return;
    }
  }
  CUresult result = cu.Init(0);
  if (result != CUDA_SUCCESS) {
    describe(result, init_error, sizeof(init_error), "cuInit");
    return;
  }
  CUdevice device;
  result = cu.DeviceGet(&device, 0);
  if (result == CUDA_SUCCESS)
    result = cu.DevicePrimaryCtxRetain(&primary_context, device);
  if (result != CUDA_SUCCESS) {
    describe(result, init_error, sizeof(init_error),
             "cuDevicePrimaryCtxRetain (GPU 0)");
    return;
  }
  /* The stream-ordered allocations of a run come from the device's default
   * pool, which by default hands its memory back to the driver at every
   * synchronization, so that the next run maps it again (hundreds of
   * microseconds per run on an H100). Keep it: the pool then reuses the
   * same memory run after run. Best effort; without it runs are slower. */
  cu.DeviceGetDefaultMemPool = dlsym(library, "cuDeviceGetDefaultMemPool");
  cu.MemPoolSetAttribute = dlsym(library, "cuMemPoolSetAttribute");
  CUmemoryPool pool = NULL;
  if (cu.DeviceGetDefaultMemPool && cu.MemPoolSetAttribute &&
      cu.CtxSetCurrent(primary_context) == CUDA_SUCCESS &&
      cu.DeviceGetDefaultMemPool(&pool, device) == CUDA_SUCCESS) {
    uint64_t keep = UINT64_MAX;
    cu.MemPoolSetAttribute(pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, &keep);
  }
}

/* The driver with GPU 0's context current on this thread, or 0. */
static int driver_ready(void) {
  pthread_once(&init_once, load_driver);
  if (init_error[0])
    return 0;
  return cu.CtxSetCurrent(primary_context) == CUDA_SUCCESS;
}

static void fail_run(const char *format, ...) {
  if (run_failed)
    return;
  run_failed = 1;
  va_list args;
  va_start(args, format);
  vsnprintf(run_error, sizeof(run_error), format, args);
  va_end(args);
}

/* Whether the next step of the current run may go ahead. */
static int may_run(void) {
  if (run_failed)
    return 0;
  if (!driver_ready()) {
    fail_run("%s", init_error[0] ? init_error : "cannot use the CUDA driver");
    return 0;
  }
  return 1;
}

static int check(CUresult result, const char *call) {
  if (result == CUDA_SUCCESS)
    return 1;
  if (!run_failed) {
    describe(result, run_error, sizeof(run_error), call);
    run_failed = 1;
  }
  return 0;
}

int lowbit_device_begin(char *error, size_t capacity) {
  run_failed = 0;
  run_error[0] = '\0';
  if (!driver_ready()) {
    snprintf(error, capacity, "%s",
             init_error[0] ? init_error : "cannot use the CUDA driver");
    return 1;
  }
  if (load_error[0]) {
    snprintf(error, capacity, "%s", load_error);
    return 1;
  }
  return 0;
}

int lowbit_device_end(char *error, size_t capacity) {
  if (!run_failed)
    return 0;
  snprintf(error, capacity, "%s", run_error);
  return 1;
}

/*===- What the generated host code calls --------------------------------===*/

void *mgpuModuleLoad(void *data, size_t size) {
  (void)size;
  if (!driver_ready())
    return NULL;
  CUmodule module = NULL;
  CUresult result = cu.ModuleLoadData(&module, data);
  if (result != CUDA_SUCCESS) {
    /* "... (compiled for another GPU?)" after the driver's words. */
    describe(result, load_error, sizeof(load_error) - 48,
             "cuModuleLoadData, loading the model's GPU kernels");
    strcat(load_error, " (compiled for another GPU?)");
    return NULL;
  }
  return module;
}

void *mgpuModuleLoadJIT(void *ptx, int optLevel) {
  (void)optLevel;
  return mgpuModuleLoad(ptx, 0);
}

void mgpuModuleUnload(void *module) {
  if (module && driver_ready())
    cu.ModuleUnload((CUmodule)module);
}

void *mgpuModuleGetFunction(void *module, const char *name) {
  if (!may_run())
    return NULL;
  if (!module) {
    fail_run("%s", load_error[0] ? load_error
                                 : "the model's GPU kernels are not loaded");
    return NULL;
  }
  CUfunction function = NULL;
  check(cu.ModuleGetFunction(&function, (CUmodule)module, name),
        "cuModuleGetFunction");
  return function;
}

void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount) {
  (void)paramsCount;
  if (!may_run() || !function)
    return;
  check(cu.LaunchKernel((CUfunction)function, (unsigned)gridX, (unsigned)gridY,
                        (unsigned)gridZ, (unsigned)blockX, (unsigned)blockY,
                        (unsigned)blockZ, (unsigned)smem, (CUstream)stream,
                        params, extra),
        "cuLaunchKernel");
}

/* Streams are kept per thread for the next run instead of being destroyed:
 * creating one costs more than a small model's kernels. A run synchronizes
 * its stream before it ends, so a kept stream has no work pending. */
enum { kKeptStreams = 4 };
static __thread CUstream kept_streams[kKeptStreams];
static __thread int kept_count;

void *mgpuStreamCreate(void) {
  if (!may_run())
    return NULL;
  if (kept_count > 0)
    return kept_streams[--kept_count];
  CUstream stream = NULL;
  check(cu.StreamCreate(&stream, CU_STREAM_NON_BLOCKING), "cuStreamCreate");
  return stream;
}

void mgpuStreamSynchronize(void *stream) {
  if (stream && driver_ready())
    check(cu.StreamSynchronize((CUstream)stream), "cuStreamSynchronize");
}

void mgpuStreamDestroy(void *stream) {
  if (!stream || !driver_ready())
    return;
  /* After a failed step the stream may hold work that never completes. */
  if (!run_failed && kept_count < kKeptStreams &&
      cu.StreamSynchronize((CUstream)stream) == CUDA_SUCCESS) {
    kept_streams[kept_count++] = (CUstream)stream;
    return;
  }
  cu.StreamDestroy((CUstream)stream);
}

void mgpuStreamWaitEvent(void *stream, void *event) {
  if (may_run() && event)
    check(cu.StreamWaitEvent((CUstream)stream, (CUevent)event, 0),
          "cuStreamWaitEvent");
}

void *mgpuEventCreate(void) {
  if (!may_run())
    return NULL;
  CUevent event = NULL;
  /* CU_EVENT_DISABLE_TIMING: only ordering is needed. */
  check(cu.EventCreate(&event, 2), "cuEventCreate");
  return event;
}

void mgpuEventDestroy(void *event) {
  if (event && driver_ready())
    cu.EventDestroy((CUevent)event);
}

void mgpuEventSynchronize(void *event) {
  (void)event;
}

void mgpuEventRecord(void *event, void *stream) {
  if (may_run() && event)
    check(cu.EventRecord((CUevent)event, (CUstream)stream), "cuEventRecord");
}

void *mgpuMemAlloc(uint64_t bytes, void *stream, bool isHostShared) {
  if (!may_run() || bytes == 0)
    return NULL;
  if (isHostShared) {
    fail_run("host-shared GPU allocations are not supported");
    return NULL;
  }
  CUdeviceptr pointer = 0;
  if (!check(cu.MemAllocAsync(&pointer, (size_t)bytes, (CUstream)stream),
             "cuMemAllocAsync"))
    return NULL;
  return (void *)(uintptr_t)pointer;
}

void mgpuMemFree(void *pointer, void *stream) {
  if (pointer && driver_ready())
    check(cu.MemFreeAsync((CUdeviceptr)(uintptr_t)pointer, (CUstream)stream),
          "cuMemFreeAsync");
}

void mgpuMemcpy(void *dst, void *src, size_t bytes, void *stream) {
  if (!may_run() || bytes == 0)
    return;
  check(cu.MemcpyAsync((CUdeviceptr)(uintptr_t)dst, (CUdeviceptr)(uintptr_t)src,
                       bytes, (CUstream)stream),
        "cuMemcpyAsync");
}

void mgpuMemset32(void *dst, unsigned value, size_t count, void *stream) {
  if (!may_run() || count == 0)
    return;
  check(cu.MemsetD32Async((CUdeviceptr)(uintptr_t)dst, value, count,
                          (CUstream)stream),
        "cuMemsetD32Async");
}

/*===- Constants (weights) resident on the device ------------------------===*/

/* A 1-D memref descriptor as MLIR passes it to C (`llvm.emit_c_interface`). */
typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t size;
  int64_t stride;
} lowbit_memref_1d;

/* Device copies of the model's constants, keyed by their host address: the
 * constants of a loaded library never move or change. Kept until the process
 * ends (a library unloaded and loaded again uploads anew). */
typedef struct resident {
  const void *host;
  CUdeviceptr device;
  struct resident *next;
} resident;
static resident *residents;
static pthread_mutex_t residents_lock = PTHREAD_MUTEX_INITIALIZER;

static void resident_constant(lowbit_memref_1d *result,
                              const lowbit_memref_1d *host,
                              int64_t element_bytes) {
  *result = *host;
  result->allocated = result->aligned = NULL;
  result->offset = 0;
  if (!may_run())
    return;
  const void *data = (const char *)host->aligned + host->offset * element_bytes;
  size_t bytes = (size_t)(host->size * element_bytes);
  pthread_mutex_lock(&residents_lock);
  resident *entry = residents;
  while (entry && entry->host != data)
    entry = entry->next;
  if (!entry) {
    CUdeviceptr device = 0;
    if (check(cu.MemAlloc(&device, bytes ? bytes : 1), "cuMemAlloc") &&
        check(cu.MemcpyHtoD(device, data, bytes), "cuMemcpyHtoD")) {
      entry = malloc(sizeof(resident));
      if (entry) {
        entry->host = data;
        entry->device = device;
        entry->next = residents;
        residents = entry;
      } else {
        fail_run("out of host memory");
      }
    }
  }
  pthread_mutex_unlock(&residents_lock);
  if (entry)
    result->allocated = result->aligned = (void *)(uintptr_t)entry->device;
}

#define LOWBIT_RESIDENT_CONSTANT(suffix)                                      \
  void _mlir_ciface___lowbit_cuda_constant_##suffix(                          \
      lowbit_memref_1d *result, lowbit_memref_1d *host,                       \
      int64_t element_bytes) {                                                \
    resident_constant(result, host, element_bytes);                           \
  }
LOWBIT_RESIDENT_CONSTANT(f32)
LOWBIT_RESIDENT_CONSTANT(f16)
LOWBIT_RESIDENT_CONSTANT(bf16)
LOWBIT_RESIDENT_CONSTANT(f64)
LOWBIT_RESIDENT_CONSTANT(i1)
LOWBIT_RESIDENT_CONSTANT(i8)
LOWBIT_RESIDENT_CONSTANT(i16)
LOWBIT_RESIDENT_CONSTANT(i32)
LOWBIT_RESIDENT_CONSTANT(i64)
