/*===- Context.c - contexts, tensor queries and checked runs -------------===*/

#include "Runtime.h"

#include "lowbit/Runtime/ModelFormat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Defined by the code lowbit-compile generates (see ModelFormat.h). */
extern void __lowbit_model_invoke(void **buffers)
    __attribute__((visibility("hidden")));
extern const unsigned char __lowbit_model_metadata[]
    __attribute__((visibility("hidden")));

lowbit_status lowbit_fail(lowbit_context *context, lowbit_status status,
                          const char *format, ...) {
  if (context) {
    va_list args;
    va_start(args, format);
    vsnprintf(context->error, sizeof(context->error), format, args);
    va_end(args);
  }
  return status;
}

static void release(lowbit_context *context) {
  free(context->tensors);
  free(context->buffers);
  free(context->dims);
  free(context->names);
  free(context);
}

lowbit_status lowbit_context_create(lowbit_context **out) {
  if (!out)
    return LOWBIT_ERROR_INVALID_ARGUMENT;
  *out = NULL;
  lowbit_context *context = calloc(1, sizeof(lowbit_context));
  if (!context)
    return LOWBIT_ERROR_OUT_OF_MEMORY;
  /* The header says how long the whole description is. */
  uint64_t total;
  memcpy(&total, __lowbit_model_metadata + LOWBIT_MODEL_MAGIC_SIZE, 8);
  lowbit_status status =
      lowbit_parse_metadata(context, __lowbit_model_metadata,
                            memcmp(__lowbit_model_metadata, LOWBIT_MODEL_MAGIC,
                                   LOWBIT_MODEL_MAGIC_SIZE) == 0
                                ? (size_t)total
                                : 0);
  if (status != LOWBIT_OK) {
    release(context);
    return status;
  }
  *out = context;
  return LOWBIT_OK;
}

void lowbit_context_destroy(lowbit_context *context) {
  if (context)
    release(context);
}

int64_t lowbit_num_inputs(const lowbit_context *context) {
  return context ? context->num_inputs : -1;
}

int64_t lowbit_num_outputs(const lowbit_context *context) {
  return context ? context->num_outputs : -1;
}

static lowbit_status tensor_info(const lowbit_context *context, int64_t index,
                                 int output, lowbit_tensor_info *info) {
  if (!context || !info)
    return LOWBIT_ERROR_INVALID_ARGUMENT;
  int64_t count = output ? context->num_outputs : context->num_inputs;
  if (index < 0 || index >= count)
    return LOWBIT_ERROR_INVALID_ARGUMENT;
  *info = context->tensors[(output ? context->num_inputs : 0) + index];
  return LOWBIT_OK;
}

lowbit_status lowbit_input_info(const lowbit_context *context, int64_t index,
                                lowbit_tensor_info *info) {
  return tensor_info(context, index, 0, info);
}

lowbit_status lowbit_output_info(const lowbit_context *context, int64_t index,
                                 lowbit_tensor_info *info) {
  return tensor_info(context, index, 1, info);
}

const char *lowbit_last_error(const lowbit_context *context) {
  return context ? context->error : "";
}

/* "[2, 3, 4]" into `out`. */
static void format_shape(char *out, size_t capacity, int64_t rank,
                         const int64_t *shape) {
  size_t used = (size_t)snprintf(out, capacity, "[");
  for (int64_t i = 0; i < rank && used < capacity; ++i)
    used += (size_t)snprintf(out + used, capacity - used, "%s%lld",
                             i ? ", " : "", (long long)shape[i]);
  if (used < capacity)
    snprintf(out + used, capacity - used, "]");
}

static lowbit_status check_tensor(lowbit_context *context,
                                  const lowbit_tensor *given,
                                  const lowbit_tensor_info *expected,
                                  const char *kind, int64_t index) {
  if (given->dtype != expected->dtype)
    return lowbit_fail(context, LOWBIT_ERROR_DTYPE_MISMATCH,
                       "%s %lld ('%s') has dtype %s; the model expects %s",
                       kind, (long long)index, expected->name,
                       lowbit_dtype_name(given->dtype),
                       lowbit_dtype_name(expected->dtype));
  int same = given->rank == expected->rank &&
             (given->rank == 0 || given->shape != NULL);
  for (int64_t d = 0; same && d < given->rank; ++d)
    same = given->shape[d] == expected->shape[d];
  if (!same) {
    char have[160], want[160];
    if (given->rank >= 0 && (given->rank == 0 || given->shape))
      format_shape(have, sizeof(have), given->rank, given->shape);
    else
      snprintf(have, sizeof(have), "(no shape)");
    format_shape(want, sizeof(want), expected->rank, expected->shape);
    return lowbit_fail(context, LOWBIT_ERROR_SHAPE_MISMATCH,
                       "%s %lld ('%s') has shape %s; the model expects %s",
                       kind, (long long)index, expected->name, have, want);
  }
  if (!given->data && expected->num_bytes > 0)
    return lowbit_fail(context, LOWBIT_ERROR_INVALID_ARGUMENT,
                       "%s %lld ('%s') has no data (null pointer)", kind,
                       (long long)index, expected->name);
  return LOWBIT_OK;
}

static int overlap(const void *a, int64_t a_bytes, const void *b,
                   int64_t b_bytes) {
  if (a_bytes == 0 || b_bytes == 0)
    return 0;
  const char *pa = a, *pb = b;
  return pa < pb + b_bytes && pb < pa + a_bytes;
}

lowbit_status lowbit_run(lowbit_context *context, const lowbit_tensor *inputs,
                         int64_t num_inputs, const lowbit_tensor *outputs,
                         int64_t num_outputs) {
  if (!context)
    return LOWBIT_ERROR_INVALID_ARGUMENT;
  context->error[0] = '\0';
  if (num_inputs != context->num_inputs || num_outputs != context->num_outputs)
    return lowbit_fail(context, LOWBIT_ERROR_INVALID_ARGUMENT,
                       "the model takes %lld inputs and %lld outputs; got "
                       "%lld and %lld",
                       (long long)context->num_inputs,
                       (long long)context->num_outputs, (long long)num_inputs,
                       (long long)num_outputs);
  if ((num_inputs > 0 && !inputs) || (num_outputs > 0 && !outputs))
    return lowbit_fail(context, LOWBIT_ERROR_INVALID_ARGUMENT,
                       "null tensor array");

  const lowbit_tensor_info *in_info = context->tensors;
  const lowbit_tensor_info *out_info = context->tensors + num_inputs;
  for (int64_t i = 0; i < num_inputs; ++i) {
    lowbit_status status =
        check_tensor(context, &inputs[i], &in_info[i], "input", i);
    if (status != LOWBIT_OK)
      return status;
  }
  for (int64_t i = 0; i < num_outputs; ++i) {
    lowbit_status status =
        check_tensor(context, &outputs[i], &out_info[i], "output", i);
    if (status != LOWBIT_OK)
      return status;
    for (int64_t j = 0; j < num_inputs; ++j)
      if (overlap(outputs[i].data, out_info[i].num_bytes, inputs[j].data,
                  in_info[j].num_bytes))
        return lowbit_fail(context, LOWBIT_ERROR_ALIASING,
                           "output %lld ('%s') overlaps input %lld ('%s')",
                           (long long)i, out_info[i].name, (long long)j,
                           in_info[j].name);
    for (int64_t j = 0; j < i; ++j)
      if (overlap(outputs[i].data, out_info[i].num_bytes, outputs[j].data,
                  out_info[j].num_bytes))
        return lowbit_fail(context, LOWBIT_ERROR_ALIASING,
                           "output %lld ('%s') overlaps output %lld ('%s')",
                           (long long)i, out_info[i].name, (long long)j,
                           out_info[j].name);
  }

  for (int64_t i = 0; i < num_inputs; ++i)
    context->buffers[i] = inputs[i].data;
  for (int64_t i = 0; i < num_outputs; ++i)
    context->buffers[num_inputs + i] = outputs[i].data;
  if (lowbit_device_begin &&
      lowbit_device_begin(context->error, sizeof(context->error)))
    return LOWBIT_ERROR_DEVICE;
  __lowbit_model_invoke(context->buffers);
  if (lowbit_device_end &&
      lowbit_device_end(context->error, sizeof(context->error)))
    return LOWBIT_ERROR_DEVICE;
  return LOWBIT_OK;
}
