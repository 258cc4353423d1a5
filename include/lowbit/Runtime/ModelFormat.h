/*===- ModelFormat.h - what the compiler leaves for the runtime --*- C -*-===*
 *
 * The contract between the code that lowbit-compile generates and the
 * runtime archive linked beside it in every model library. Both symbols are
 * hidden: only the functions of lowbit-c/lowbit.h are exported.
 *
 *   void __lowbit_model_invoke(void **buffers);
 *     Runs the model. `buffers` holds the data pointers of every input, then
 *     of every output, in the model's order; shapes and dtypes have been
 *     checked by the runtime.
 *
 *   const unsigned char __lowbit_model_metadata[];
 *     The model's description, in host byte order:
 *       char     magic[8]       "LOWBITM1"
 *       uint64_t total_size     bytes of the whole description
 *       uint32_t num_inputs
 *       uint32_t num_outputs
 *     then one record per input, then per output:
 *       uint32_t dtype          a lowbit_dtype
 *       uint32_t rank
 *       int64_t  dims[rank]
 *       uint32_t name_size
 *       char     name[name_size] (not NUL-terminated)
 *
 *===----------------------------------------------------------------------===*/

#ifndef LOWBIT_RUNTIME_MODELFORMAT_H
#define LOWBIT_RUNTIME_MODELFORMAT_H

#define LOWBIT_MODEL_MAGIC "LOWBITM1"
#define LOWBIT_MODEL_MAGIC_SIZE 8
#define LOWBIT_MODEL_HEADER_SIZE 24
#define LOWBIT_MODEL_INVOKE_SYMBOL "__lowbit_model_invoke"
#define LOWBIT_MODEL_METADATA_SYMBOL "__lowbit_model_metadata"

/* Limits the runtime enforces on a description (and the compiler on the
 * models it accepts). */
#define LOWBIT_MODEL_MAX_RANK 64
#define LOWBIT_MODEL_MAX_TENSORS 65536

#endif /* LOWBIT_RUNTIME_MODELFORMAT_H */
