// RUN: lowbit-opt %s --pass-pipeline='builtin.module(func.func(lowbit-cpu-tile-and-vectorize,canonicalize))' --split-input-file | FileCheck %s
// RUN: lowbit-opt %s --pass-pipeline='builtin.module(func.func(lowbit-cpu-tile-and-vectorize{parallel=false},canonicalize))' --split-input-file | FileCheck %s --check-prefix=SERIAL

// A register tile of 8 rows by 16 lanes, one step of K at a time: each step
// is an outer product accumulated into the tile, which is read before the K
// loop, carried through it as a vector and written once after it. With more
// columns than rows, column strips are the outer loop (each strip of the
// weights stays in cache while all row blocks pass over it).
// CHECK-LABEL: func.func @matmul
// CHECK-DAG: %[[C8:.+]] = arith.constant 8 : index
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHECK-DAG: %[[C1:.+]] = arith.constant 1 : index
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C16]]
// CHECK:   scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C8]]
// CHECK:     %[[INIT:.+]] = vector.transfer_read {{.*}} : tensor<32x48xf32>, vector<8x16xf32>
// CHECK:     %[[SUM:.+]] = scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C1]] iter_args(%[[ACC:.+]] = %[[INIT]]) -> (vector<8x16xf32>)
// CHECK:       %[[A:.+]] = vector.transfer_read {{.*}} : tensor<32x64xf32>, vector<8x1xf32>
// CHECK:       %[[B:.+]] = vector.transfer_read {{.*}} : tensor<64x48xf32>, vector<1x16xf32>
// CHECK:       %[[NEXT:.+]] = vector.contract {{.*}} %[[A]], %[[B]], %[[ACC]] : vector<8x1xf32>, vector<1x16xf32> into vector<8x16xf32>
// CHECK:       scf.yield %[[NEXT]] : vector<8x16xf32>
// CHECK:     vector.transfer_write %[[SUM]], {{.*}} : vector<8x16xf32>, tensor<32x48xf32>
// CHECK-NOT: linalg.matmul
func.func @matmul(%a: tensor<32x64xf32>, %b: tensor<64x48xf32>, %c: tensor<32x48xf32>) -> tensor<32x48xf32> {
  %0 = linalg.matmul ins(%a, %b : tensor<32x64xf32>, tensor<64x48xf32>) outs(%c : tensor<32x48xf32>) -> tensor<32x48xf32>
  return %0 : tensor<32x48xf32>
}

// -----

// Tiles divide the extents: 40 lanes become 4 steps of 10, rows one at a
// time.
// CHECK-LABEL: func.func @elementwise
// CHECK-DAG: %[[C10:.+]] = arith.constant 10 : index
// CHECK: scf.for
// CHECK:   scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C10]]
// CHECK:     vector.transfer_read {{.*}} : tensor<3x40xf32>, vector<1x10xf32>
// CHECK:     math.exp %{{.+}} : vector<1x10xf32>
// CHECK:     vector.transfer_write {{.*}} : vector<1x10xf32>, tensor<3x40xf32>
func.func @elementwise(%x: tensor<3x40xf32>) -> tensor<3x40xf32> {
  %e = tensor.empty() : tensor<3x40xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
         ins(%x : tensor<3x40xf32>) outs(%e : tensor<3x40xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = math.exp %in : f32
    linalg.yield %1 : f32
  } -> tensor<3x40xf32>
  return %0 : tensor<3x40xf32>
}

// -----

// A sum over the contiguous axis: the lanes run along the reduction.
// CHECK-LABEL: func.func @row_sum
// CHECK-DAG: %[[C16:.+]] = arith.constant 16 : index
// CHECK: scf.for
// CHECK:   scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C16]]
// CHECK:     vector.transfer_read {{.*}} : tensor<4x64xf32>, vector<1x16xf32>
// CHECK:     vector.multi_reduction <add>, %{{.+}}, %{{.+}} [1] : vector<1x16xf32> to vector<1xf32>
func.func @row_sum(%x: tensor<4x64xf32>, %acc: tensor<4xf32>) -> tensor<4xf32> {
  %0 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i)>], iterator_types = ["parallel", "reduction"]}
         ins(%x : tensor<4x64xf32>) outs(%acc : tensor<4xf32>) {
  ^bb0(%in: f32, %out: f32):
    %1 = arith.addf %out, %in : f32
    linalg.yield %1 : f32
  } -> tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A 2-D convolution becomes an im2col copy ([C * kh * kw, oh * ow]) and a
// product tiled like a matmul: 8 output channels by 16 output positions.
// CHECK-DAG: #[[IM2COL:.+]] = affine_map<(d0, d1, d2) -> (d0, d1 floordiv 9, d2 floordiv 16 + (d1 mod 9) floordiv 3, d2 mod 16 + d1 mod 3)>
// CHECK-LABEL: func.func @conv2d
// CHECK: %[[FILTER:.+]] = tensor.collapse_shape %{{.+}} {{\[}}[0], [1, 2, 3]] : tensor<8x4x3x3xf32> into tensor<8x36xf32>
// CHECK: %[[COLUMNS:.+]] = linalg.generic {indexing_maps = [#[[IM2COL]], #{{.+}}], {{.*}} outs(%{{.+}} : tensor<1x36x128xf32>)
// CHECK: scf.for
// CHECK:   scf.for
// CHECK:     %[[W:.+]] = vector.transfer_read %[[FILTER]]{{.*}} : tensor<8x36xf32>, vector<8x1xf32>
// CHECK:     %[[X:.+]] = vector.transfer_read %[[COLUMNS]]{{.*}} : tensor<1x36x128xf32>, vector<1x1x16xf32>
// CHECK:     vector.contract {{.*}} %[[W]], %[[X]], %{{.+}} : vector<8x1xf32>, vector<1x1x16xf32> into vector<1x8x16xf32>
// CHECK-NOT: linalg.conv
func.func @conv2d(%x: tensor<1x4x10x18xf32>, %w: tensor<8x4x3x3xf32>, %acc: tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32> {
  %0 = linalg.conv_2d_nchw_fchw {dilations = dense<1> : tensor<2xi64>, strides = dense<1> : tensor<2xi64>}
         ins(%x, %w : tensor<1x4x10x18xf32>, tensor<8x4x3x3xf32>) outs(%acc : tensor<1x8x8x16xf32>) -> tensor<1x8x8x16xf32>
  return %0 : tensor<1x8x8x16xf32>
}

// -----

// A 1-D convolution is tiled to 8 output channels by 9 positions (18 has
// no divisor between 9 and 16), one input channel and the whole kernel per
// step, and vectorized as it is.
// CHECK-LABEL: func.func @conv1d
// CHECK-DAG: %[[C9:.+]] = arith.constant 9 : index
// CHECK: scf.for
// CHECK: scf.for %{{.+}} = %{{.+}} to %{{.+}} step %[[C9]]
// CHECK: vector.transfer_read {{.*}} : tensor<2x3x20xf32>, vector<1x1x11xf32>
// CHECK: vector.transfer_read {{.*}} : tensor<8x3x3xf32>, vector<8x1x3xf32>
// CHECK: vector.contract
// CHECK-NOT: linalg.conv
func.func @conv1d(%x: tensor<2x3x20xf32>, %w: tensor<8x3x3xf32>, %acc: tensor<2x8x18xf32>) -> tensor<2x8x18xf32> {
  %0 = linalg.conv_1d_ncw_fcw {dilations = dense<1> : tensor<1xi64>, strides = dense<1> : tensor<1xi64>}
         ins(%x, %w : tensor<2x3x20xf32>, tensor<8x3x3xf32>) outs(%acc : tensor<2x8x18xf32>) -> tensor<2x8x18xf32>
  return %0 : tensor<2x8x18xf32>
}

// -----

// What the vectorizer cannot take (control flow in the body) stays whole
// and untiled; it becomes loops later.
// CHECK-LABEL: func.func @branchy
// CHECK-NOT: scf.for
// CHECK: linalg.generic
// CHECK:   scf.if
func.func @branchy(%x: tensor<100xf32>) -> tensor<100xf32> {
  %e = tensor.empty() : tensor<100xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(i) -> (i)>, affine_map<(i) -> (i)>], iterator_types = ["parallel"]}
         ins(%x : tensor<100xf32>) outs(%e : tensor<100xf32>) {
  ^bb0(%in: f32, %out: f32):
    %zero = arith.constant 0.0 : f32
    %positive = arith.cmpf ogt, %in, %zero : f32
    %r = scf.if %positive -> f32 {
      scf.yield %in : f32
    } else {
      %n = arith.negf %in : f32
      scf.yield %n : f32
    }
    linalg.yield %r : f32
  } -> tensor<100xf32>
  return %0 : tensor<100xf32>
}

// -----

// Boolean tensors are bytes in memory but vector<Nxi1> is stored as packed
// bits: ops reading or writing them stay whole and scalar. A comparison
// whose i1 result stays inside the op is still vectorized.
// CHECK-LABEL: func.func @booleans
// CHECK-NOT: vector.transfer_read
// CHECK: linalg.generic
// CHECK: arith.xori %{{.+}}, %{{.+}} : i1
// CHECK-NOT: vector.
// CHECK: return
func.func @booleans(%x: tensor<3x40xi1>) -> tensor<3x40xi1> {
  %true = arith.constant true
  %e = tensor.empty() : tensor<3x40xi1>
  %0 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
         ins(%x : tensor<3x40xi1>) outs(%e : tensor<3x40xi1>) {
  ^bb0(%in: i1, %out: i1):
    %1 = arith.xori %in, %true : i1
    linalg.yield %1 : i1
  } -> tensor<3x40xi1>
  return %0 : tensor<3x40xi1>
}

// CHECK-LABEL: func.func @compare_inside
// CHECK: vector.transfer_read {{.*}} : tensor<3x40xf32>, vector<1x10xf32>
// CHECK: arith.cmpf ogt, {{.*}} : vector<1x10xf32>
// CHECK: arith.select {{.*}} : vector<1x10xi1>, vector<1x10xf32>
func.func @compare_inside(%x: tensor<3x40xf32>) -> tensor<3x40xf32> {
  %zero = arith.constant 0.0 : f32
  %e = tensor.empty() : tensor<3x40xf32>
  %0 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
         ins(%x : tensor<3x40xf32>) outs(%e : tensor<3x40xf32>) {
  ^bb0(%in: f32, %out: f32):
    %c = arith.cmpf ogt, %in, %zero : f32
    %1 = arith.select %c, %in, %zero : f32
    linalg.yield %1 : f32
  } -> tensor<3x40xf32>
  return %0 : tensor<3x40xf32>
}

// -----

// 8 accumulator vectors: with 8 rows one vector of columns, with 2 rows
// four, with one row (a matrix-vector product) eight side by side.
// CHECK-LABEL: func.func @wide_tiles
// CHECK: vector.contract {{.*}} : vector<8x1xf32>, vector<1x16xf32> into vector<8x16xf32>
// CHECK: vector.contract {{.*}} : vector<1x1xf32>, vector<1x128xf32> into vector<1x128xf32>
// CHECK: vector.contract {{.*}} : vector<2x1xf32>, vector<1x64xf32> into vector<2x64xf32>
func.func @wide_tiles(%a: tensor<16x64xf32>, %b: tensor<64x256xf32>, %c: tensor<16x256xf32>,
                      %x: tensor<1x64xf32>, %y: tensor<1x256xf32>,
                      %p: tensor<2x64xf32>, %q: tensor<2x256xf32>) -> (tensor<16x256xf32>, tensor<1x256xf32>, tensor<2x256xf32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<16x64xf32>, tensor<64x256xf32>) outs(%c : tensor<16x256xf32>) -> tensor<16x256xf32>
  %1 = linalg.matmul ins(%x, %b : tensor<1x64xf32>, tensor<64x256xf32>) outs(%y : tensor<1x256xf32>) -> tensor<1x256xf32>
  %2 = linalg.matmul ins(%p, %b : tensor<2x64xf32>, tensor<64x256xf32>) outs(%q : tensor<2x256xf32>) -> tensor<2x256xf32>
  return %0, %1, %2 : tensor<16x256xf32>, tensor<1x256xf32>, tensor<2x256xf32>
}

// -----

// Enough work (2^20 points or more) for threads: an scf.forall over the
// outermost parallel loop with at least 4 register tiles, register tiles
// inside; products with more columns than rows (matrix-vector products too)
// share column strips, others rows.
// An elementwise op of 2^14 points stays serial.
// CHECK-LABEL: func.func @parallel
// CHECK: scf.forall (%{{.+}}) = (0) to (256) step (16) shared_outs
// CHECK:   scf.for
// CHECK:     scf.for
// CHECK:       vector.contract {{.*}} into vector<8x16xf32>
// CHECK:   tensor.parallel_insert_slice {{.*}} into %{{.+}}[0, %{{.+}}] [64, 16] [1, 1]
// CHECK: scf.forall (%{{.+}}) = (0) to (4096) step (128) shared_outs
// CHECK:   vector.contract {{.*}} into vector<1x128xf32>
// CHECK:   tensor.parallel_insert_slice {{.*}} [1, 128] [1, 1]
// CHECK: scf.forall (%{{.+}}) = (0) to (256) step (8) shared_outs
// CHECK:   vector.contract {{.*}} into vector<8x16xf32>
// CHECK:   tensor.parallel_insert_slice {{.*}} into %{{.+}}[%{{.+}}, 0] [8, 64] [1, 1]
// CHECK-NOT: scf.forall
// CHECK: math.exp %{{.+}} : vector<1x16xf32>
// CHECK-NOT: scf.forall
// CHECK: return
// SERIAL-LABEL: func.func @parallel
// SERIAL-NOT: scf.forall
func.func @parallel(%a: tensor<64x64xf32>, %b: tensor<64x256xf32>, %c: tensor<64x256xf32>,
                    %x: tensor<1x256xf32>, %w: tensor<256x4096xf32>, %y: tensor<1x4096xf32>,
                    %t: tensor<256x64xf32>, %u: tensor<64x64xf32>, %v: tensor<256x64xf32>) -> (tensor<64x256xf32>, tensor<1x4096xf32>, tensor<64x256xf32>, tensor<256x64xf32>) {
  %0 = linalg.matmul ins(%a, %b : tensor<64x64xf32>, tensor<64x256xf32>) outs(%c : tensor<64x256xf32>) -> tensor<64x256xf32>
  %1 = linalg.matmul ins(%x, %w : tensor<1x256xf32>, tensor<256x4096xf32>) outs(%y : tensor<1x4096xf32>) -> tensor<1x4096xf32>
  %tall = linalg.matmul ins(%t, %u : tensor<256x64xf32>, tensor<64x64xf32>) outs(%v : tensor<256x64xf32>) -> tensor<256x64xf32>
  %e = tensor.empty() : tensor<64x256xf32>
  %2 = linalg.generic {indexing_maps = [affine_map<(i, j) -> (i, j)>, affine_map<(i, j) -> (i, j)>], iterator_types = ["parallel", "parallel"]}
         ins(%c : tensor<64x256xf32>) outs(%e : tensor<64x256xf32>) {
  ^bb0(%in: f32, %out: f32):
    %3 = math.exp %in : f32
    linalg.yield %3 : f32
  } -> tensor<64x256xf32>
  return %0, %1, %2, %tall : tensor<64x256xf32>, tensor<1x4096xf32>, tensor<64x256xf32>, tensor<256x64xf32>
}
