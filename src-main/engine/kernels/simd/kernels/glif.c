/*
 * The fused GLIF neuron's forward and backward passes.
 *
 * The JS loops these replace are glifForwardLoop and glifBackwardLoop (glif/fused-loops.ts); the
 * comments there explain the maths. Here elements are taken four channels at a time (f32x4). The
 * forward does the same float32 operations in the same order as the JS loop, so spikes and
 * membranes are bit-identical to it and to the tf-ops path. The backward computes per element in
 * float32, as PyTorch does, and sums over elements in float64.
 *
 * Layout: time-major, channels last. A GLIF input holds T steps of M elements; element m uses
 * coefficient slot m % Q, where Q (a multiple of 4 dividing M) is the channel count or a
 * repetition of it (the caller expands the coefficients to that period).
 */
#include "simd.h"

/* ---------------------------------------------------------------------------------------------
 * GLIF forward. Coefficients: decay[Q], keep[Q], linear[Q], soft[Q], threshold[Q], gain[T * Q].
 * `keep` is 1 - hard (what multiplies the exponential part after a spike). Writes spikes (0/1)
 * and, unless `membrane` is 0, the charged pre-reset membrane of every element.
 *
 * The loop over time runs innermost with the state in registers; V vectors (independent
 * elements) go through it together, so the chains of dependent operations overlap.
 */
INLINE void glif_forward_block(const float *x, float *spikes, float *membrane, const float *coef,
                               int T, int M, int Q, int paper, int i0, int c0, int V) {
  const float *decay = coef, *keep = coef + Q, *linear = coef + 2 * Q, *soft = coef + 3 * Q;
  const float *theta = coef + 4 * Q, *gain = coef + 5 * Q;
  const f4 one = wasm_f32x4_splat(1.0f);
  f4 u[4], m[4], D[4], K[4], L[4], S[4], TH[4];
  for (int v = 0; v < V; v++) {
    int c = c0 + 4 * v, i = i0 + 4 * v;
    D[v] = LD(decay + c), K[v] = LD(keep + c), L[v] = LD(linear + c), S[v] = LD(soft + c);
    TH[v] = LD(theta + c);
    /* u_{-1} = 0 and S_{-1} = 0: only the leak and the input remain. */
    u[v] = SUB(MUL(LD(gain + c), LD(x + i)), L[v]);
    m[v] = wasm_f32x4_gt(u[v], TH[v]);
    ST(spikes + i, AND(m[v], one));
    if (membrane) ST(membrane + i, u[v]);
  }
  for (int t = 1; t < T; t++) {
    for (int v = 0; v < V; v++) {
      int c = c0 + 4 * v, i = i0 + 4 * v + t * M;
      f4 drive = MUL(LD(gain + t * Q + c), LD(x + i));
      f4 kept = wasm_v128_bitselect(K[v], one, m[v]); /* S ? 1 - hard : 1, exactly */
      f4 softS = AND(S[v], m[v]);                     /* soft * S, exactly */
      u[v] = paper ? ADD(SUB(MUL(SUB(MUL(D[v], u[v]), L[v]), kept), softS), drive)
                   : SUB(ADD(SUB(MUL(MUL(D[v], u[v]), kept), L[v]), drive), softS);
      m[v] = wasm_f32x4_gt(u[v], TH[v]);
      ST(spikes + i, AND(m[v], one));
      if (membrane) ST(membrane + i, u[v]);
    }
  }
}

INLINE void glif_forward_all(const float *x, float *spikes, float *membrane, const float *coef,
                             int T, int M, int Q, int paper) {
  for (int base = 0; base < M; base += Q) {
    int c = 0;
    for (; c + 16 <= Q; c += 16) glif_forward_block(x, spikes, membrane, coef, T, M, Q, paper, base + c, c, 4);
    for (; c < Q; c += 4) glif_forward_block(x, spikes, membrane, coef, T, M, Q, paper, base + c, c, 1);
  }
}

EXPORT(glif_forward)
void glif_forward(const float *x, float *spikes, float *membrane, const float *coef, int T, int M,
                  int Q, int paper) {
  /* Four instantiations, so neither flag is tested inside the loops. */
  if (membrane) {
    if (paper) glif_forward_all(x, spikes, membrane, coef, T, M, Q, 1);
    else glif_forward_all(x, spikes, membrane, coef, T, M, Q, 0);
  } else {
    if (paper) glif_forward_all(x, spikes, 0, coef, T, M, Q, 1);
    else glif_forward_all(x, spikes, 0, coef, T, M, Q, 0);
  }
}

/* ---------------------------------------------------------------------------------------------
 * GLIF backward (BPTT), the derivatives documented on glifBackwardLoop. Coefficients: decay[Q],
 * hard[Q], keep[Q], linear[Q], soft[Q], threshold[Q], gain[T * Q]. `dMembrane` may be 0.
 * Writes dx and adds to `acc` (float64): +decay[Q], -hard[Q], -linear[Q], -soft[Q],
 * -threshold[Q], +gain[T * Q], the gradients with respect to the coefficients.
 *
 * The sums go through `part` ((5 + T) Q floats of scratch): float32 over a chunk of GLIF_CHUNK
 * groups of elements, then into the float64 totals. Converting every element's contribution to
 * float64 cost a third of the pass; a float32 sum of 32 terms loses nothing that matters.
 */
#define GLIF_CHUNK 32

/* acc[k] += sign * part[k] in float64 for k < n (n a multiple of 4); part is zeroed. */
INLINE void flush_part(double *acc, float *part, int n, int negate) {
  for (int k = 0; k < n; k += 4) {
    if (negate) dec64(acc + k, LD(part + k));
    else acc64(acc + k, LD(part + k));
    ST(part + k, wasm_f32x4_splat(0.0f));
  }
}

#define ACC32(p, v) ST((p), ADD(LD(p), (v)))

/*
 * One block of V vectors (4 channels each) through all T steps, backwards. The spike of step t-1
 * is read back from its membrane (u > threshold, the forward's own test on the same floats), so
 * the spikes are not streamed in again. V blocks go through together, as in the forward, so the
 * dependent chain through carryU and carryS of one vector overlaps with the others'.
 */
INLINE void glif_backward_block(const float *x, const float *membrane, const float *dS,
                                const float *dM, float *dx, const float *coef, float *part, int T,
                                int M, int Q, int paper, float half, float height, int i0, int c0,
                                int V) {
  const float *decay = coef, *hard = coef + Q, *keep = coef + 2 * Q, *linear = coef + 3 * Q;
  const float *soft = coef + 4 * Q, *theta = coef + 5 * Q, *gain = coef + 6 * Q;
  float *aDecay = part, *aHard = part + Q, *aLinear = part + 2 * Q, *aSoft = part + 3 * Q;
  float *aTh = part + 4 * Q, *aGain = part + 5 * Q;
  const f4 one = wasm_f32x4_splat(1.0f), zero = wasm_f32x4_splat(0.0f);
  const f4 HALF = wasm_f32x4_splat(half), HEIGHT = wasm_f32x4_splat(height);
  f4 D[4], H[4], K[4], L[4], Sf[4], TH[4], u[4];
  f4 carryU[4], carryS[4], sDecay[4], sHard[4], sLinear[4], sSoft[4], sTh[4];
  for (int v = 0; v < V; v++) {
    int c = c0 + 4 * v;
    D[v] = LD(decay + c), H[v] = LD(hard + c), K[v] = LD(keep + c), L[v] = LD(linear + c);
    Sf[v] = LD(soft + c), TH[v] = LD(theta + c);
    u[v] = LD(membrane + i0 + 4 * v + (T - 1) * M);
    carryU[v] = zero, carryS[v] = zero;
    sDecay[v] = zero, sHard[v] = zero, sLinear[v] = zero, sSoft[v] = zero, sTh[v] = zero;
  }
  for (int t = T - 1; t >= 0; t--) {
    for (int v = 0; v < V; v++) {
      int c = c0 + 4 * v, i = i0 + 4 * v + t * M;
      f4 window = AND(wasm_f32x4_lt(wasm_f32x4_abs(SUB(u[v], TH[v])), HALF), HEIGHT);
      f4 viaSpike = MUL(ADD(LD(dS + i), carryS[v]), window);
      f4 gu = dM ? ADD(ADD(LD(dM + i), viaSpike), carryU[v]) : ADD(viaSpike, carryU[v]);
      sTh[v] = ADD(sTh[v], viaSpike);
      ST(dx + i, MUL(gu, LD(gain + t * Q + c)));
      ACC32(aGain + t * Q + c, MUL(gu, LD(x + i)));
      if (t == 0) {
        sLinear[v] = ADD(sLinear[v], gu);
        continue;
      }
      f4 up = LD(membrane + i - M);
      f4 mask = wasm_f32x4_gt(up, TH[v]);
      f4 kept = wasm_v128_bitselect(K[v], one, mask);
      f4 guD = MUL(gu, D[v]);
      sDecay[v] = ADD(sDecay[v], MUL(MUL(gu, up), kept));
      sSoft[v] = ADD(sSoft[v], AND(gu, mask));
      carryU[v] = MUL(guD, kept);
      if (paper) {
        f4 leaked = SUB(MUL(D[v], up), L[v]);
        sLinear[v] = ADD(sLinear[v], MUL(gu, kept));
        sHard[v] = ADD(sHard[v], AND(MUL(gu, leaked), mask));
        carryS[v] = wasm_f32x4_neg(MUL(gu, ADD(MUL(H[v], leaked), Sf[v])));
      } else {
        sLinear[v] = ADD(sLinear[v], gu);
        sHard[v] = ADD(sHard[v], AND(MUL(guD, up), mask));
        carryS[v] = wasm_f32x4_neg(ADD(MUL(MUL(H[v], guD), up), MUL(gu, Sf[v])));
      }
      u[v] = up;
    }
  }
  for (int v = 0; v < V; v++) {
    int c = c0 + 4 * v;
    ACC32(aDecay + c, sDecay[v]);
    ACC32(aHard + c, sHard[v]);
    ACC32(aLinear + c, sLinear[v]);
    ACC32(aSoft + c, sSoft[v]);
    ACC32(aTh + c, sTh[v]);
  }
}

INLINE void glif_backward_all(const float *x, const float *membrane, const float *dS,
                              const float *dM, float *dx, const float *coef, float *part,
                              double *acc, int T, int M, int Q, int paper, float half,
                              float height) {
  float *aDecay = part, *aHard = part + Q, *aGain = part + 5 * Q;
  for (int k = 0; k < (5 + T) * Q; k += 4) ST(part + k, wasm_f32x4_splat(0.0f));
  for (int base = 0; base < M; base += Q) {
    int c = 0;
    for (; c + 8 <= Q; c += 8)
      glif_backward_block(x, membrane, dS, dM, dx, coef, part, T, M, Q, paper, half, height, base + c, c, 2);
    for (; c < Q; c += 4)
      glif_backward_block(x, membrane, dS, dM, dx, coef, part, T, M, Q, paper, half, height, base + c, c, 1);
    if ((base / Q + 1) % GLIF_CHUNK == 0 || base + Q >= M) {
      flush_part(acc, aDecay, Q, 0);
      flush_part(acc + Q, aHard, 4 * Q, 1); /* hard, linear, soft, threshold */
      flush_part(acc + 5 * Q, aGain, T * Q, 0);
    }
  }
}

EXPORT(glif_backward)
void glif_backward(const float *x, const float *spikes, const float *membrane, const float *dS,
                   const float *dM, float *dx, const float *coef, float *part, double *acc, int T,
                   int M, int Q, int paper, float half, float height) {
  (void)spikes; /* read back from the membrane: see glif_backward_block */
  if (paper) glif_backward_all(x, membrane, dS, dM, dx, coef, part, acc, T, M, Q, 1, half, height);
  else glif_backward_all(x, membrane, dS, dM, dx, coef, part, acc, T, M, Q, 0, half, height);
}
