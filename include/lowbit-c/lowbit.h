/*===- lowbit.h - C interface of a model compiled by lowbit -------*- C -*-===*
 *
 * Every shared library that `lowbit-compile` produces exports exactly these
 * functions. A context describes the model's inputs and outputs and runs it
 * on buffers that the caller owns:
 *
 *   lowbit_context *ctx;
 *   if (lowbit_context_create(&ctx) != LOWBIT_OK) ...;
 *   lowbit_tensor_info info;
 *   lowbit_input_info(ctx, 0, &info);         // name, dtype, shape, bytes
 *   lowbit_tensor in = {x, info.dtype, info.rank, info.shape};
 *   lowbit_tensor out = {y, ...};
 *   if (lowbit_run(ctx, &in, 1, &out, 1) != LOWBIT_OK)
 *     fprintf(stderr, "%s\n", lowbit_last_error(ctx));
 *   lowbit_context_destroy(ctx);
 *
 * Tensors are dense, in C (row-major) order, with the numpy dtypes below.
 * Runs on different contexts may proceed concurrently on different threads;
 * one context serves one thread at a time (it holds the last error).
 * Since every model exports the same names, load models with dlopen
 * (RTLD_LOCAL) when a process uses more than one.
 *
 *===----------------------------------------------------------------------===*/

#ifndef LOWBIT_C_LOWBIT_H
#define LOWBIT_C_LOWBIT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__)
#define LOWBIT_API __attribute__((visibility("default")))
#else
#define LOWBIT_API
#endif

/* Incremented whenever a declaration below changes incompatibly. */
#define LOWBIT_ABI_VERSION 1

typedef enum lowbit_status {
  LOWBIT_OK = 0,
  /* A null pointer, an index out of range, a wrong tensor count. */
  LOWBIT_ERROR_INVALID_ARGUMENT = 1,
  /* A tensor whose rank or dimensions differ from the model's. */
  LOWBIT_ERROR_SHAPE_MISMATCH = 2,
  /* A tensor whose element type differs from the model's. */
  LOWBIT_ERROR_DTYPE_MISMATCH = 3,
  /* An output buffer that overlaps an input or another output. */
  LOWBIT_ERROR_ALIASING = 4,
  LOWBIT_ERROR_OUT_OF_MEMORY = 5,
  /* The library's model description is damaged (not a lowbit model?). */
  LOWBIT_ERROR_BAD_MODEL = 6,
  /* A model for a GPU could not run there: no driver or GPU, kernels for
   * another architecture, a failed allocation, copy or launch. Outputs may
   * have been written partly. */
  LOWBIT_ERROR_DEVICE = 7
} lowbit_status;

/* Element types, numbered as ONNX's TensorProto.DataType. */
typedef enum lowbit_dtype {
  LOWBIT_DTYPE_FLOAT32 = 1,
  LOWBIT_DTYPE_UINT8 = 2,
  LOWBIT_DTYPE_INT8 = 3,
  LOWBIT_DTYPE_UINT16 = 4,
  LOWBIT_DTYPE_INT16 = 5,
  LOWBIT_DTYPE_INT32 = 6,
  LOWBIT_DTYPE_INT64 = 7,
  LOWBIT_DTYPE_BOOL = 9, /* one byte, 0 or 1 */
  LOWBIT_DTYPE_FLOAT16 = 10,
  LOWBIT_DTYPE_FLOAT64 = 11,
  LOWBIT_DTYPE_UINT32 = 12,
  LOWBIT_DTYPE_UINT64 = 13,
  LOWBIT_DTYPE_BFLOAT16 = 16
} lowbit_dtype;

/* What the model expects of one input or output. The pointers stay valid
 * until the context is destroyed. */
typedef struct lowbit_tensor_info {
  const char *name;
  lowbit_dtype dtype;
  int64_t rank;
  const int64_t *shape;
  int64_t num_elements;
  int64_t num_bytes;
} lowbit_tensor_info;

/* A caller's buffer. Inputs are only read. */
typedef struct lowbit_tensor {
  void *data;
  lowbit_dtype dtype;
  int64_t rank;
  const int64_t *shape;
} lowbit_tensor;

typedef struct lowbit_context lowbit_context;

LOWBIT_API uint32_t lowbit_abi_version(void);

LOWBIT_API lowbit_status lowbit_context_create(lowbit_context **context);
LOWBIT_API void lowbit_context_destroy(lowbit_context *context);

/* -1 when `context` is null. */
LOWBIT_API int64_t lowbit_num_inputs(const lowbit_context *context);
LOWBIT_API int64_t lowbit_num_outputs(const lowbit_context *context);
LOWBIT_API lowbit_status lowbit_input_info(const lowbit_context *context,
                                           int64_t index,
                                           lowbit_tensor_info *info);
LOWBIT_API lowbit_status lowbit_output_info(const lowbit_context *context,
                                            int64_t index,
                                            lowbit_tensor_info *info);

/* Runs the model: reads every input, writes every output. Inputs and
 * outputs come in the model's order; dtype and shape must match exactly. On
 * error nothing is written and lowbit_last_error says what was wrong. */
LOWBIT_API lowbit_status lowbit_run(lowbit_context *context,
                                    const lowbit_tensor *inputs,
                                    int64_t num_inputs,
                                    const lowbit_tensor *outputs,
                                    int64_t num_outputs);

/* The message of the context's last failed call ("" after a success or
 * when `context` is null). */
LOWBIT_API const char *lowbit_last_error(const lowbit_context *context);

LOWBIT_API const char *lowbit_status_string(lowbit_status status);

/* Threads that the parallel loops of a run use (the caller's thread
 * included), for every context of this library. The default is the
 * environment variable LOWBIT_NUM_THREADS, else 1. A run that starts while
 * another run of the same library uses the threads runs on its caller's
 * thread alone. Returns LOWBIT_ERROR_INVALID_ARGUMENT outside [1, 256]. */
LOWBIT_API lowbit_status lowbit_set_num_threads(int64_t num_threads);
LOWBIT_API int64_t lowbit_get_num_threads(void);
/* The numpy name ("float32", "int8", "bool", ...); "unknown" otherwise. */
LOWBIT_API const char *lowbit_dtype_name(lowbit_dtype dtype);
/* Bytes per element; 0 for an unknown dtype. */
LOWBIT_API int64_t lowbit_dtype_size(lowbit_dtype dtype);

#ifdef __cplusplus
}
#endif

#endif /* LOWBIT_C_LOWBIT_H */
