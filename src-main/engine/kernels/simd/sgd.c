/*
 * The sharded optimiser's update (parallel/sharded-sgd.ts) in WebAssembly SIMD.
 *
 * Built by scripts/build-simd.mjs into sgd.wasm.ts. Unlike the kernels of kernels/, this module works on the
 * replica group's shared memory (parallel/collective.ts): every replica's gradient slot, then the
 * flat parameters and momentum, all in one shared WebAssembly.Memory. The JS loop it replaces
 * (sgdUpdateLoop in parallel/sgd-update.ts) rounds to float32 after every operation with
 * Math.fround, two conversions each, and took 50 ms per 6.35 M values on this machine, most of a
 * replica's exchange; f32x4 arithmetic is float32 already. Same operations, same order, no fused
 * multiply-add (built with -ffp-contract=off), so the results are the JS loop's bit for bit.
 */
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

typedef v128_t f4;

/*
 * torch.optim.SGD over [from, to) of the flat parameters p and momentum buf, element by element:
 *   g = g_0 + g_1 + ... (the `slots` replicas' gradients g[r L + j], summed in rank order)
 *   d = g + wd p (when wd > 0);  buf = d on the first step, else m buf + d (when m > 0);  p -= rate d
 */
EXPORT(sgd_update)
void sgd_update(float *p, float *buf, const float *g, int L, int slots, int from, int to, float wd,
                float m, float rate, int first) {
  const f4 vwd = wasm_f32x4_splat(wd), vm = wasm_f32x4_splat(m), vrate = wasm_f32x4_splat(rate);
  int j = from;
  for (; j + 4 <= to; j += 4) {
    f4 gj = wasm_v128_load(g + j);
    for (int r = 1; r < slots; r++) gj = wasm_f32x4_add(gj, wasm_v128_load(g + r * L + j));
    const f4 pj = wasm_v128_load(p + j);
    f4 d = wd > 0 ? wasm_f32x4_add(gj, wasm_f32x4_mul(pj, vwd)) : gj;
    if (m > 0) {
      if (!first) d = wasm_f32x4_add(wasm_f32x4_mul(wasm_v128_load(buf + j), vm), d);
      wasm_v128_store(buf + j, d);
    }
    wasm_v128_store(p + j, wasm_f32x4_sub(pj, wasm_f32x4_mul(d, vrate)));
  }
  for (; j < to; j++) {
    float gj = g[j];
    for (int r = 1; r < slots; r++) gj = gj + g[r * L + j];
    const float pj = p[j];
    float d = wd > 0 ? gj + pj * wd : gj;
    if (m > 0) {
      if (!first) d = buf[j] * m + d;
      buf[j] = d;
    }
    p[j] = pj - d * rate;
  }
}
