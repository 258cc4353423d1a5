/*===- Metadata.c - read the model description the compiler left ---------===*
 *
 * The description is produced by lowbit-compile beside the code it describes
 * (see lowbit/Runtime/ModelFormat.h), so a failure here means a damaged or
 * foreign library; every read is still bounds-checked.
 *
 *===----------------------------------------------------------------------===*/

#include "Runtime.h"

#include "lowbit/Runtime/ModelFormat.h"

#include <stdlib.h>
#include <string.h>

typedef struct reader {
  const unsigned char *data;
  size_t size;
  size_t offset;
} reader;

static int read_bytes(reader *r, void *out, size_t count) {
  if (count > r->size - r->offset)
    return 0;
  memcpy(out, r->data + r->offset, count);
  r->offset += count;
  return 1;
}

static int skip_bytes(reader *r, size_t count) {
  if (count > r->size - r->offset)
    return 0;
  r->offset += count;
  return 1;
}

/* First pass: count the dimensions and name bytes, validating the records. */
static int measure(reader *r, int64_t count, size_t *dims, size_t *names) {
  for (int64_t i = 0; i < count; ++i) {
    uint32_t dtype, rank, name_size;
    if (!read_bytes(r, &dtype, 4) || !read_bytes(r, &rank, 4))
      return 0;
    if (lowbit_dtype_size((lowbit_dtype)dtype) == 0 ||
        rank > LOWBIT_MODEL_MAX_RANK)
      return 0;
    if (!skip_bytes(r, (size_t)rank * 8) || !read_bytes(r, &name_size, 4) ||
        !skip_bytes(r, name_size))
      return 0;
    *dims += rank;
    *names += (size_t)name_size + 1;
  }
  return 1;
}

/* Second pass: fill one tensor record. */
static int fill(reader *r, lowbit_tensor_info *info, int64_t **dims,
                char **names) {
  uint32_t dtype, rank, name_size;
  read_bytes(r, &dtype, 4);
  read_bytes(r, &rank, 4);
  info->dtype = (lowbit_dtype)dtype;
  info->rank = rank;
  info->shape = *dims;
  int64_t elements = 1;
  for (uint32_t d = 0; d < rank; ++d) {
    int64_t dim;
    read_bytes(r, &dim, 8);
    if (dim < 0 || (dim > 0 && elements > INT64_MAX / 8 / dim))
      return 0;
    elements *= dim;
    (*dims)[d] = dim;
  }
  *dims += rank;
  info->num_elements = elements;
  info->num_bytes = elements * lowbit_dtype_size(info->dtype);
  read_bytes(r, &name_size, 4);
  read_bytes(r, *names, name_size);
  (*names)[name_size] = '\0';
  info->name = *names;
  *names += (size_t)name_size + 1;
  return 1;
}

lowbit_status lowbit_parse_metadata(lowbit_context *context,
                                    const unsigned char *data,
                                    size_t available) {
  if (available < LOWBIT_MODEL_HEADER_SIZE ||
      memcmp(data, LOWBIT_MODEL_MAGIC, LOWBIT_MODEL_MAGIC_SIZE) != 0)
    return lowbit_fail(context, LOWBIT_ERROR_BAD_MODEL,
                       "the library holds no lowbit model description");
  uint64_t total;
  uint32_t num_inputs, num_outputs;
  memcpy(&total, data + 8, 8);
  memcpy(&num_inputs, data + 16, 4);
  memcpy(&num_outputs, data + 20, 4);
  if (total < LOWBIT_MODEL_HEADER_SIZE || total > available ||
      (uint64_t)num_inputs + num_outputs > LOWBIT_MODEL_MAX_TENSORS)
    return lowbit_fail(context, LOWBIT_ERROR_BAD_MODEL,
                       "the model description is damaged");

  int64_t count = (int64_t)num_inputs + num_outputs;
  reader r = {data, (size_t)total, LOWBIT_MODEL_HEADER_SIZE};
  size_t dim_count = 0, name_bytes = 0;
  if (!measure(&r, count, &dim_count, &name_bytes) || r.offset != r.size)
    return lowbit_fail(context, LOWBIT_ERROR_BAD_MODEL,
                       "the model description is damaged");

  context->tensors =
      calloc(count ? (size_t)count : 1, sizeof(lowbit_tensor_info));
  context->buffers = calloc(count ? (size_t)count : 1, sizeof(void *));
  context->dims = calloc(dim_count ? dim_count : 1, sizeof(int64_t));
  context->names = calloc(name_bytes ? name_bytes : 1, 1);
  if (!context->tensors || !context->buffers || !context->dims ||
      !context->names)
    return lowbit_fail(context, LOWBIT_ERROR_OUT_OF_MEMORY,
                       "out of memory reading the model description");
  context->num_inputs = num_inputs;
  context->num_outputs = num_outputs;

  r.offset = LOWBIT_MODEL_HEADER_SIZE;
  int64_t *dims = context->dims;
  char *names = context->names;
  for (int64_t i = 0; i < count; ++i)
    if (!fill(&r, &context->tensors[i], &dims, &names))
      return lowbit_fail(context, LOWBIT_ERROR_BAD_MODEL,
                         "the model description has a tensor too large to "
                         "address");
  return LOWBIT_OK;
}
