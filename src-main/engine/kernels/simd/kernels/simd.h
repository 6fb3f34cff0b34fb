/*
 * What every file of the SIMD kernel module (kernels.wasm.ts) shares: the f32x4 shorthands, the
 * fused multiply-add of the relaxed build, and float64 accumulation of four lanes.
 *
 * The files of this folder are compiled together into one module by scripts/build-simd.mjs
 * (committed as kernels.wasm.ts, so neither CI nor users need a C compiler), twice: with relaxed
 * SIMD, where MADD is f32x4.relaxed_madd (a fused multiply-add where the CPU has one), and with
 * plain 128-bit SIMD. The module imports the TF.js wasm backend's memory and works on tensors
 * where they lie on its heap: no copy in or out. It therefore must own no memory of its own: no
 * data segment and no stack (the build checks both), or it would overwrite the backend's heap.
 * Every exported function takes byte addresses on that heap.
 *
 * Layout throughout: channels last (NHWC); the GLIF kernels are also time-major.
 */
#ifndef GLIF_SIMD_H
#define GLIF_SIMD_H

#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define INLINE static inline __attribute__((always_inline))

typedef v128_t f4;

#define LD(p) wasm_v128_load(p)
#define ST(p, v) wasm_v128_store((p), (v))
#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul
#define AND wasm_v128_and
#ifdef __wasm_relaxed_simd__
#define MADD(a, b, c) wasm_f32x4_relaxed_madd((a), (b), (c))
#else
#define MADD(a, b, c) ADD((c), MUL((a), (b)))
#endif

/* Adds the four lanes of v to acc[0..3] in float64. */
INLINE void acc64(double *acc, f4 v) {
  v128_t lo = wasm_f64x2_promote_low_f32x4(v);
  v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  wasm_v128_store(acc, wasm_f64x2_add(wasm_v128_load(acc), lo));
  wasm_v128_store(acc + 2, wasm_f64x2_add(wasm_v128_load(acc + 2), hi));
}

/* Subtracts the four lanes of v from acc[0..3] in float64. */
INLINE void dec64(double *acc, f4 v) {
  v128_t lo = wasm_f64x2_promote_low_f32x4(v);
  v128_t hi = wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1));
  wasm_v128_store(acc, wasm_f64x2_sub(wasm_v128_load(acc), lo));
  wasm_v128_store(acc + 2, wasm_f64x2_sub(wasm_v128_load(acc + 2), hi));
}
#endif
