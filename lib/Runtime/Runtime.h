/*===- Runtime.h - the runtime's private declarations ------------*- C -*-===*/

#ifndef LOWBIT_LIB_RUNTIME_RUNTIME_H
#define LOWBIT_LIB_RUNTIME_RUNTIME_H

#include "lowbit-c/lowbit.h"

#include <stddef.h>

#define LOWBIT_ERROR_CAPACITY 512

struct lowbit_context {
  int64_t num_inputs;
  int64_t num_outputs;
  /* Inputs, then outputs. */
  lowbit_tensor_info *tensors;
  /* Names and dimensions that `tensors` point into. */
  char *names;
  int64_t *dims;
  /* The data pointers handed to the generated code, one per tensor. */
  void **buffers;
  char error[LOWBIT_ERROR_CAPACITY];
};

/* Fills the tensor tables of `context` from a model description of at most
 * `available` bytes. On failure, writes the reason into context->error. */
lowbit_status lowbit_parse_metadata(lowbit_context *context,
                                    const unsigned char *data,
                                    size_t available);

/* printf-style message into context->error; returns `status`. */
lowbit_status lowbit_fail(lowbit_context *context, lowbit_status status,
                          const char *format, ...)
    __attribute__((format(printf, 3, 4)));

/* Defined by the CUDA runtime archive (CUDA/CUDARuntime.c), which only GPU
 * models link; weak, so they are null in models for the host. Both return 0
 * when all is well, else write the reason into `error` and return 1:
 * lowbit_device_begin before a run (driver, GPU and kernels usable),
 * lowbit_device_end after it (every copy, launch and free succeeded). */
int lowbit_device_begin(char *error, size_t capacity) __attribute__((weak));
int lowbit_device_end(char *error, size_t capacity) __attribute__((weak));

#endif /* LOWBIT_LIB_RUNTIME_RUNTIME_H */
