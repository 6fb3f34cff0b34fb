import * as tf from '@tensorflow/tfjs-core';
import { callWasmKernel, castInfo, input, release, reshapeInfo, WASM } from './wasm-kernel-calls';

/**
 * UnsortedSegmentSum for the wasm backend, which lacks it. tfjs-core uses it in the gradient of
 * tf.gather (GatherV2), so taking gradients through any gather fails on wasm without it.
 *
 * The sum over segments is a matrix product: out[s, :] = sum over i of [ids[i] == s] * x[i, :],
 * i.e. oneHot(ids, numSegments)^T @ x with x flattened to [N, rest]. Ids outside
 * [0, numSegments) give an all-zero one-hot row and are dropped, as in the cpu kernel.
 * The product is formed in float32, so int32 inputs are exact up to 2^24.
 */
const unsortedSegmentSum: tf.KernelFunc = (args) => {
  const backend = args.backend as tf.KernelBackend;
  const x = input(args.inputs, 'x', tf.UnsortedSegmentSum);
  const segmentIds = input(args.inputs, 'segmentIds', tf.UnsortedSegmentSum);
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) {
    throw new Error(
      `wasm UnsortedSegmentSum expects 1-D segmentIds as long as x's first axis, got [${segmentIds.shape}] for x [${x.shape}]`,
    );
  }
  const rows = x.shape[0];
  const rest = x.shape.slice(1);
  const width = rest.reduce((a, b) => a * b, 1);
  const temps: tf.TensorInfo[] = [];
  let ids = segmentIds;
  if (ids.dtype !== 'int32') {
    ids = castInfo(ids, 'int32', backend);
    temps.push(ids);
  }
  let values = x;
  if (values.dtype !== 'float32') {
    values = castInfo(values, 'float32', backend);
    temps.push(values);
  }
  // The wasm OneHot writes int32 whatever dtype it is asked for, so it is asked for int32 and cast.
  const membershipInt = callWasmKernel(
    'OneHot',
    { indices: ids },
    { depth: numSegments, onValue: 1, offValue: 0, dtype: 'int32' },
    backend,
  );
  const membership = castInfo(membershipInt, 'float32', backend);
  temps.push(membershipInt);
  const membership3d = reshapeInfo(membership, [1, rows, numSegments], backend);
  const values3d = reshapeInfo(values, [1, rows, width], backend);
  const sums = callWasmKernel(
    'BatchMatMul',
    { a: membership3d, b: values3d },
    { transposeA: true, transposeB: false },
    backend,
  );
  temps.push(membership, membership3d, values3d, sums);
  let out = reshapeInfo(sums, [numSegments, ...rest], backend);
  if (x.dtype !== 'float32') {
    temps.push(out);
    out = castInfo(out, x.dtype, backend);
  }
  release(backend, temps, out);
  return out;
};

export const unsortedSegmentSumConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: WASM,
  kernelFunc: unsortedSegmentSum,
};
