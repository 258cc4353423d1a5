/* Exercises the C interface of a compiled model: the matmul-add model of
 * test/e2e (y = x * w + b, x [2, 4], y [2, 3]), linked directly. */

#include "lowbit-c/lowbit.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const float kWeight[4][3] = {
    {1, 2, 3}, {4, 5, 6}, {7, 8, 9}, {10, 11, 12}};
static const float kBias[3] = {0.5f, 0.25f, 0.125f};
static const int64_t kInShape[2] = {2, 4};
static const int64_t kOutShape[2] = {2, 3};

static void expected(const float *x, float *y) {
  for (int i = 0; i < 2; ++i)
    for (int j = 0; j < 3; ++j) {
      float sum = kBias[j];
      for (int k = 0; k < 4; ++k)
        sum += x[i * 4 + k] * kWeight[k][j];
      y[i * 3 + j] = sum;
    }
}

static int close_enough(const float *a, const float *b, int n) {
  for (int i = 0; i < n; ++i)
    if (fabsf(a[i] - b[i]) > 1e-4f * (1 + fabsf(b[i])))
      return 0;
  return 1;
}

static void print_info(const char *kind, const lowbit_tensor_info *info) {
  printf("%s %s %s rank %lld [", kind, info->name,
         lowbit_dtype_name(info->dtype), (long long)info->rank);
  for (int64_t d = 0; d < info->rank; ++d)
    printf("%s%lld", d ? ", " : "", (long long)info->shape[d]);
  printf("] %lld bytes\n", (long long)info->num_bytes);
}

static void report(lowbit_context *ctx, const char *what,
                   lowbit_status status) {
  printf("%s: %s: %s\n", what, lowbit_status_string(status),
         lowbit_last_error(ctx));
}

/* Each thread runs the model many times on its own context and inputs. */
static void *worker(void *arg) {
  int seed = *(int *)arg;
  lowbit_context *ctx;
  if (lowbit_context_create(&ctx) != LOWBIT_OK)
    return (void *)1;
  float x[8], y[6], want[6];
  for (int iteration = 0; iteration < 2000; ++iteration) {
    for (int i = 0; i < 8; ++i)
      x[i] = (float)((seed * 31 + iteration * 7 + i) % 17) - 8;
    lowbit_tensor in = {x, LOWBIT_DTYPE_FLOAT32, 2, kInShape};
    lowbit_tensor out = {y, LOWBIT_DTYPE_FLOAT32, 2, kOutShape};
    expected(x, want);
    if (lowbit_run(ctx, &in, 1, &out, 1) != LOWBIT_OK ||
        !close_enough(y, want, 6)) {
      lowbit_context_destroy(ctx);
      return (void *)1;
    }
  }
  lowbit_context_destroy(ctx);
  return NULL;
}

int main(void) {
  printf("abi %u\n", lowbit_abi_version());
  printf("create(NULL): %s\n", lowbit_status_string(lowbit_context_create(NULL)));
  lowbit_context *ctx;
  if (lowbit_context_create(&ctx) != LOWBIT_OK)
    return 1;
  printf("inputs %lld outputs %lld\n", (long long)lowbit_num_inputs(ctx),
         (long long)lowbit_num_outputs(ctx));
  printf("inputs(NULL) %lld\n", (long long)lowbit_num_inputs(NULL));
  lowbit_tensor_info info;
  lowbit_input_info(ctx, 0, &info);
  print_info("input", &info);
  lowbit_output_info(ctx, 0, &info);
  print_info("output", &info);
  printf("input_info(1): %s\n",
         lowbit_status_string(lowbit_input_info(ctx, 1, &info)));
  printf("output_info(-1): %s\n",
         lowbit_status_string(lowbit_output_info(ctx, -1, &info)));

  float x[8] = {1, -2, 3, 0.5f, 0, 1, -1, 2}, y[6], want[6];
  expected(x, want);
  lowbit_tensor in = {x, LOWBIT_DTYPE_FLOAT32, 2, kInShape};
  lowbit_tensor out = {y, LOWBIT_DTYPE_FLOAT32, 2, kOutShape};
  lowbit_status status = lowbit_run(ctx, &in, 1, &out, 1);
  printf("run: %s, %s, last error '%s'\n", lowbit_status_string(status),
         close_enough(y, want, 6) ? "matches" : "WRONG",
         lowbit_last_error(ctx));

  printf("run(NULL): %s\n",
         lowbit_status_string(lowbit_run(NULL, &in, 1, &out, 1)));
  report(ctx, "no inputs", lowbit_run(ctx, NULL, 0, &out, 1));
  report(ctx, "null arrays", lowbit_run(ctx, NULL, 1, NULL, 1));
  lowbit_tensor bad = in;
  bad.dtype = LOWBIT_DTYPE_FLOAT16;
  report(ctx, "dtype", lowbit_run(ctx, &bad, 1, &out, 1));
  bad = in;
  bad.rank = 1;
  report(ctx, "rank", lowbit_run(ctx, &bad, 1, &out, 1));
  bad = in;
  bad.shape = NULL;
  report(ctx, "no shape", lowbit_run(ctx, &bad, 1, &out, 1));
  bad = in;
  bad.data = NULL;
  report(ctx, "no data", lowbit_run(ctx, &bad, 1, &out, 1));
  lowbit_tensor wrong_out = out;
  wrong_out.shape = kInShape;
  report(ctx, "output shape", lowbit_run(ctx, &in, 1, &wrong_out, 1));
  lowbit_tensor aliased = {x + 2, LOWBIT_DTYPE_FLOAT32, 2, kOutShape};
  report(ctx, "aliasing", lowbit_run(ctx, &in, 1, &aliased, 1));
  /* A failed run leaves the outputs alone. */
  memset(y, 0, sizeof(y));
  bad = in;
  bad.dtype = LOWBIT_DTYPE_INT32;
  lowbit_run(ctx, &bad, 1, &out, 1);
  printf("after a failed run the output is %s\n",
         y[0] == 0 && y[5] == 0 ? "untouched" : "WRITTEN");
  status = lowbit_run(ctx, &in, 1, &out, 1);
  printf("run again: %s, %s, last error '%s'\n", lowbit_status_string(status),
         close_enough(y, want, 6) ? "matches" : "WRONG",
         lowbit_last_error(ctx));
  lowbit_context_destroy(ctx);
  lowbit_context_destroy(NULL);

  printf("threads %lld\n", (long long)lowbit_get_num_threads());
  printf("set_num_threads(0): %s\n",
         lowbit_status_string(lowbit_set_num_threads(0)));
  status = lowbit_set_num_threads(3);
  printf("set_num_threads(3): %s, now %lld\n", lowbit_status_string(status),
         (long long)lowbit_get_num_threads());

  pthread_t threads[4];
  int seeds[4] = {1, 2, 3, 4};
  for (int t = 0; t < 4; ++t)
    pthread_create(&threads[t], NULL, worker, &seeds[t]);
  int failures = 0;
  for (int t = 0; t < 4; ++t) {
    void *result;
    pthread_join(threads[t], &result);
    failures += result != NULL;
  }
  printf("threads: %d of 4 failed\n", failures);
  printf("dtype names: %s %s %s %s\n", lowbit_dtype_name(LOWBIT_DTYPE_BOOL),
         lowbit_dtype_name(LOWBIT_DTYPE_UINT8),
         lowbit_dtype_name(LOWBIT_DTYPE_BFLOAT16),
         lowbit_dtype_name((lowbit_dtype)99));
  return 0;
}
