/*===- Dtypes.c - names and sizes of element types and statuses ----------===*/

#include "lowbit-c/lowbit.h"

#include <stddef.h>

const char *lowbit_dtype_name(lowbit_dtype dtype) {
  switch (dtype) {
  case LOWBIT_DTYPE_FLOAT32: return "float32";
  case LOWBIT_DTYPE_UINT8: return "uint8";
  case LOWBIT_DTYPE_INT8: return "int8";
  case LOWBIT_DTYPE_UINT16: return "uint16";
  case LOWBIT_DTYPE_INT16: return "int16";
  case LOWBIT_DTYPE_INT32: return "int32";
  case LOWBIT_DTYPE_INT64: return "int64";
  case LOWBIT_DTYPE_BOOL: return "bool";
  case LOWBIT_DTYPE_FLOAT16: return "float16";
  case LOWBIT_DTYPE_FLOAT64: return "float64";
  case LOWBIT_DTYPE_UINT32: return "uint32";
  case LOWBIT_DTYPE_UINT64: return "uint64";
  case LOWBIT_DTYPE_BFLOAT16: return "bfloat16";
  }
  return "unknown";
}

int64_t lowbit_dtype_size(lowbit_dtype dtype) {
  switch (dtype) {
  case LOWBIT_DTYPE_UINT8:
  case LOWBIT_DTYPE_INT8:
  case LOWBIT_DTYPE_BOOL: return 1;
  case LOWBIT_DTYPE_UINT16:
  case LOWBIT_DTYPE_INT16:
  case LOWBIT_DTYPE_FLOAT16:
  case LOWBIT_DTYPE_BFLOAT16: return 2;
  case LOWBIT_DTYPE_FLOAT32:
  case LOWBIT_DTYPE_INT32:
  case LOWBIT_DTYPE_UINT32: return 4;
  case LOWBIT_DTYPE_INT64:
  case LOWBIT_DTYPE_FLOAT64:
  case LOWBIT_DTYPE_UINT64: return 8;
  }
  return 0;
}

const char *lowbit_status_string(lowbit_status status) {
  switch (status) {
  case LOWBIT_OK: return "ok";
  case LOWBIT_ERROR_INVALID_ARGUMENT: return "invalid argument";
  case LOWBIT_ERROR_SHAPE_MISMATCH: return "shape mismatch";
  case LOWBIT_ERROR_DTYPE_MISMATCH: return "dtype mismatch";
  case LOWBIT_ERROR_ALIASING: return "overlapping buffers";
  case LOWBIT_ERROR_OUT_OF_MEMORY: return "out of memory";
  case LOWBIT_ERROR_BAD_MODEL: return "damaged model description";
  case LOWBIT_ERROR_DEVICE: return "device error";
  }
  return "unknown status";
}

uint32_t lowbit_abi_version(void) { return LOWBIT_ABI_VERSION; }
