/*
 * WebAssembly SIMD loops for the fused GLIF neuron and training-mode tdBN.
 *
 * Built by scripts/build-simd.sh into kernels.wasm.ts (committed, so neither CI nor users need a
 * C compiler). The module imports the TF.js wasm backend's memory and works on tensors where they
 * lie on its heap: no copy in or out. It therefore must own no memory of its own: no data segment
 * and no stack (the build checks both), or it would overwrite the backend's heap. Every function
 * takes byte addresses on that heap.
 *
 * The JS loops these replace are glifForwardLoop and glifBackwardLoop (glif/fused-loops.ts) and
 * the loops of glif/tdbn-fused.ts; the comments there explain the maths. Here elements are taken
 * four channels at a time (f32x4). The GLIF forward does the same float32 operations in the same
 * order as the JS loop, so spikes and membranes are bit-identical to it and to the tf-ops path.
 * The backward passes compute per element in float32, as PyTorch does, and sum over elements
 * in float64.
 *
 * Layout: time-major, channels last. A GLIF input holds T steps of M elements; element m uses
 * coefficient slot m % Q, where Q (a multiple of 4 dividing M) is the channel count or a
 * repetition of it (the caller expands the coefficients to that period).
 */
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

/* ---------------------------------------------------------------------------------------------
 * tdBN over channels-last data: `rows` rows of C channels (C a multiple of 4). Sums are taken in
 * float32 over blocks of rows and added to float64 per block, which keeps float64's accuracy on
 * large batches at float32's speed.
 */
#define ROW_BLOCK 32

/* acc[c] += sum over rows of x[row, c]. */
EXPORT(channel_sums)
void channel_sums(const float *x, double *acc, int rows, int C) {
  for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
    int r1 = r0 + ROW_BLOCK < rows ? r0 + ROW_BLOCK : rows;
    for (int c = 0; c < C; c += 4) {
      f4 s = wasm_f32x4_splat(0.0f);
      for (int r = r0; r < r1; r++) s = ADD(s, LD(x + r * C + c));
      acc64(acc + c, s);
    }
  }
}

/* acc[c] += sum over rows of (x[row, c] - mean[c])^2. */
EXPORT(channel_square_deviations)
void channel_square_deviations(const float *x, const float *mean, double *acc, int rows, int C) {
  for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
    int r1 = r0 + ROW_BLOCK < rows ? r0 + ROW_BLOCK : rows;
    for (int c = 0; c < C; c += 4) {
      const f4 mu = LD(mean + c);
      f4 s = wasm_f32x4_splat(0.0f);
      for (int r = r0; r < r1; r++) {
        f4 d = SUB(LD(x + r * C + c), mu);
        s = ADD(s, MUL(d, d));
      }
      acc64(acc + c, s);
    }
  }
}

/* y[row, c] = (x[row, c] - mean[c]) * k[c] + b[c]. */
EXPORT(channel_affine)
void channel_affine(const float *x, float *y, const float *mean, const float *k, const float *b,
                    int rows, int C) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + r * C;
    float *yr = y + r * C;
    for (int c = 0; c < C; c += 4) ST(yr + c, ADD(MUL(SUB(LD(xr + c), LD(mean + c)), LD(k + c)), LD(b + c)));
  }
}

/* acc[c] += sum dy[row, c];  acc[C + c] += sum dy[row, c] * (x[row, c] - mean[c]) * invStd[c]. */
EXPORT(batch_norm_grad_sums)
void batch_norm_grad_sums(const float *x, const float *dy, const float *mean, const float *invStd,
                          double *acc, int rows, int C) {
  for (int r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
    int r1 = r0 + ROW_BLOCK < rows ? r0 + ROW_BLOCK : rows;
    for (int c = 0; c < C; c += 4) {
      const f4 mu = LD(mean + c), is = LD(invStd + c);
      f4 sdy = wasm_f32x4_splat(0.0f), sdyx = sdy;
      for (int r = r0; r < r1; r++) {
        f4 g = LD(dy + r * C + c);
        sdy = ADD(sdy, g);
        sdyx = ADD(sdyx, MUL(g, MUL(SUB(LD(x + r * C + c), mu), is)));
      }
      acc64(acc + c, sdy);
      acc64(acc + C + c, sdyx);
    }
  }
}

/* dx[row, c] = dy[row, c] * a[c] + (x[row, c] - mean[c]) * e[c] + d[c]. */
EXPORT(batch_norm_grad_input)
void batch_norm_grad_input(const float *x, const float *dy, float *dx, const float *mean,
                           const float *a, const float *e, const float *d, int rows, int C) {
  for (int r = 0; r < rows; r++) {
    const float *xr = x + r * C, *gr = dy + r * C;
    float *out = dx + r * C;
    for (int c = 0; c < C; c += 4) {
      f4 v = ADD(MUL(LD(gr + c), LD(a + c)), MUL(SUB(LD(xr + c), LD(mean + c)), LD(e + c)));
      ST(out + c, ADD(v, LD(d + c)));
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * Shared by the convolution kernels below.
 *
 * Rows of dy taken as a group (a few rows of one image, about `columns` positions), so that a
 * block of the filter is reused by every tile of the group while it sits in the first-level
 * cache. Taken row by row, the deep layers of ResNet-19 (8x8 maps, 512 channels) streamed their
 * whole filter (9 MB) through memory once per row.
 */
INLINE int row_group(int Wo, int Ho, int columns) {
  int rows = (columns + Wo - 1) / Wo;
  return rows < Ho ? rows : Ho;
}

/* The columns wo whose input column wo*sw + x0 lies inside [0, W). */
INLINE void valid_columns(int W, int Wo, int sw, int x0, int *wo0, int *wo1) {
  *wo0 = x0 >= 0 ? 0 : (-x0 + sw - 1) / sw;
  *wo1 = W - 1 - x0 < 0 ? 0 : (W - 1 - x0) / sw + 1;
  if (*wo1 > Wo) *wo1 = Wo;
}

/* ---------------------------------------------------------------------------------------------
 * Conv2D filter gradient, NHWC, no dilation:
 *   dw[kh, kw, ci, co] = sum over n, ho, wo of x[n, ho*sh + kh - pt, wo*sw + kw - pl, ci] dy[n, ho, wo, co]
 * (positions outside x contribute nothing: the forward padding). Co must be a multiple of 4.
 *
 * For each tap this is a matrix product over positions, X_tap^T (Ci x P) times dy (P x Co). The
 * positions are taken in chunks of Pc; for each chunk dy is copied once into a panel
 * dyp[co / 4, p, co % 4] and, per tap, the input pixels the tap reads into xp[ci / 4, p, ci % 4]
 * (zeros outside x), so the inner loop reads both operands sequentially and runs over all Pc
 * positions with its 4 x 8 tile of dw in registers. Walking dy row by row instead (the previous
 * kernel) kept the tile for only Wo positions, 8 on ResNet-19's deep layers, and streamed the
 * whole of dw (9 MB for 512 channels) through the caches once per row.
 * The caller provides the panels: xp (KH KW Ci rounded up to 4) x Pc floats, dyp Co x Pc floats.
 */
INLINE void bpf_panel_tile(const float *xp, const float *dp, float *dwk, int Co, int Pc, int pc,
                           int ci, int co, int R, int V) {
  /* R input channels (1..4) by V vectors (1 or 2) of output channels. */
  f4 acc[4][2];
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) acc[r][v] = LD(dwk + (ci + r) * Co + co + 4 * v);
  for (int p = 0; p < pc; p++) {
    f4 d[2];
    for (int v = 0; v < V; v++) d[v] = LD(dp + (v * Pc + p) * 4);
    for (int r = 0; r < R; r++) {
      f4 s = wasm_v128_load32_splat(xp + p * 4 + r);
      for (int v = 0; v < V; v++) acc[r][v] = MADD(s, d[v], acc[r][v]);
    }
  }
  for (int r = 0; r < R; r++)
    for (int v = 0; v < V; v++) ST(dwk + (ci + r) * Co + co + 4 * v, acc[r][v]);
}

INLINE void bpf_panel_rows(const float *xp, const float *dyp, float *dwk, int Co, int Pc, int pc,
                           int ci, int R) {
  int co = 0;
  for (; co + 8 <= Co; co += 8) bpf_panel_tile(xp, dyp + co * Pc, dwk, Co, Pc, pc, ci, co, R, 2);
  for (; co < Co; co += 4) bpf_panel_tile(xp, dyp + co * Pc, dwk, Co, Pc, pc, ci, co, R, 1);
}

EXPORT(conv2d_backprop_filter)
void conv2d_backprop_filter(const float *x, const float *dy, float *dw, int N, int H, int W, int Ci,
                            int Ho, int Wo, int Co, int KH, int KW, int sh, int sw, int pt, int pl,
                            float *xpanel, float *dypanel, int Pc) {
  const f4 zero = wasm_f32x4_splat(0.0f);
  const int taps = KH * KW * Ci * Co;
  for (int i = 0; i < taps; i += 4) ST(dw + i, zero);
  const int P = N * Ho * Wo, Ci4 = (Ci + 3) / 4, full = Ci / 4;
  const int K = KH * KW * Ci, K4 = (K + 3) / 4;
  for (int p0 = 0; p0 < P; p0 += Pc) {
    const int pc = P - p0 < Pc ? P - p0 : Pc;
    for (int q = 0; q < pc; q++) {
      const float *src = dy + (p0 + q) * Co;
      for (int c = 0; c < Co; c += 4) ST(dypanel + (c * Pc + q * 4), LD(src + c));
    }
    if (Ci % 4 != 0) {
      /* Few input channels (a first layer): one panel of every (kh, kw, ci) a position reads,
       * the rows of dw in its own order, so the tiles are full instead of 1 of 4 rows used. */
      int n = p0 / (Ho * Wo), ho = (p0 - n * Ho * Wo) / Wo, wo = p0 - (n * Ho + ho) * Wo;
      for (int q = 0; q < pc; q++, wo++) {
        if (wo == Wo) {
          wo = 0;
          if (++ho == Ho) ho = 0, n++;
        }
        float *dst = xpanel + q * 4;
        int k = 0;
        for (int kh = 0; kh < KH; kh++) {
          int hi = ho * sh + kh - pt;
          for (int kw = 0; kw < KW; kw++) {
            int wi = wo * sw + kw - pl;
            const int inside = hi >= 0 && hi < H && wi >= 0 && wi < W;
            const float *src = x + ((n * H + hi) * W + wi) * Ci;
            for (int ci = 0; ci < Ci; ci++, k++) dst[(k / 4) * Pc * 4 + (k % 4)] = inside ? src[ci] : 0.0f;
          }
        }
        for (; k < K4 * 4; k++) dst[(k / 4) * Pc * 4 + (k % 4)] = 0.0f;
      }
      const int fullK = K / 4;
      for (int c4 = 0; c4 < fullK; c4++) bpf_panel_rows(xpanel + c4 * Pc * 4, dypanel, dw, Co, Pc, pc, c4 * 4, 4);
      for (int k = fullK * 4; k < K; k++)
        bpf_panel_rows(xpanel + fullK * Pc * 4 + (k - fullK * 4), dypanel, dw, Co, Pc, pc, k, 1);
      continue;
    }
    for (int kh = 0; kh < KH; kh++) {
      for (int kw = 0; kw < KW; kw++) {
        /* The chunk's first position, then counters: no division per position. */
        int n = p0 / (Ho * Wo), ho = (p0 - n * Ho * Wo) / Wo, wo = p0 - (n * Ho + ho) * Wo;
        for (int q = 0; q < pc; q++, wo++) {
          if (wo == Wo) {
            wo = 0;
            if (++ho == Ho) ho = 0, n++;
          }
          int hi = ho * sh + kh - pt, wi = wo * sw + kw - pl;
          float *dst = xpanel + q * 4;
          if (hi < 0 || hi >= H || wi < 0 || wi >= W) {
            for (int c4 = 0; c4 < Ci4; c4++) ST(dst + c4 * Pc * 4, zero);
            continue;
          }
          const float *src = x + ((n * H + hi) * W + wi) * Ci;
          for (int c4 = 0; c4 < full; c4++) ST(dst + c4 * Pc * 4, LD(src + c4 * 4));
          if (full < Ci4) {
            float *t = dst + full * Pc * 4;
            for (int r = 0; r < 4; r++) t[r] = full * 4 + r < Ci ? src[full * 4 + r] : 0.0f;
          }
        }
        float *dwk = dw + (kh * KW + kw) * Ci * Co;
        for (int c4 = 0; c4 < full; c4++) bpf_panel_rows(xpanel + c4 * Pc * 4, dypanel, dwk, Co, Pc, pc, c4 * 4, 4);
        for (int ci = full * 4; ci < Ci; ci++)
          bpf_panel_rows(xpanel + full * Pc * 4 + (ci - full * 4), dypanel, dwk, Co, Pc, pc, ci, 1);
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * Conv2D input gradient, NHWC, no dilation, any stride:
 *   dx[n, ho*sh + kh - pt, wo*sw + kw - pl, ci] += sum over co of dy[n, ho, wo, co] w[kh, kw, ci, co]
 * Ci a multiple of 8. The filter comes packed as wp[kh, kw, ci / 8, co, ci % 8]: the 8 input
 * channels of a tile are contiguous for each output channel, so the tile's filter column is one
 * sequential block (Co x 8) instead of Co scattered pieces.
 *
 * Scattered from dy through each tap: a small matrix product added into the dx rows it reaches,
 * in register tiles of 4 columns by 8 input channels. Unlike a convolution of dy spread with
 * zeros, a stride costs nothing extra. For one tap, one block of input channels runs over the
 * whole group of rows, so its filter column stays in the first-level cache meanwhile.
 */
#define BPI_GROUP_COLUMNS 64

INLINE void bpi_tile(const float *dyr, const float *wb, float *dxr, int Ci, int Co, int sw, int x0,
                     int wo, int ci, int J) {
  /* J columns (1..4) by 8 input channels. */
  f4 acc[4][2];
  for (int j = 0; j < J; j++)
    for (int v = 0; v < 2; v++) acc[j][v] = LD(dxr + ((wo + j) * sw + x0) * Ci + ci + 4 * v);
  for (int co = 0; co < Co; co++) {
    f4 w0 = LD(wb + co * 8), w1 = LD(wb + co * 8 + 4);
    for (int j = 0; j < J; j++) {
      f4 s = wasm_v128_load32_splat(dyr + (wo + j) * Co + co);
      acc[j][0] = MADD(s, w0, acc[j][0]);
      acc[j][1] = MADD(s, w1, acc[j][1]);
    }
  }
  for (int j = 0; j < J; j++)
    for (int v = 0; v < 2; v++) ST(dxr + ((wo + j) * sw + x0) * Ci + ci + 4 * v, acc[j][v]);
}

EXPORT(conv2d_backprop_input)
void conv2d_backprop_input(const float *dy, const float *wp, float *dx, int N, int H, int W, int Ci,
                           int Ho, int Wo, int Co, int KH, int KW, int sh, int sw, int pt, int pl) {
  const int total = N * H * W * Ci;
  for (int i = 0; i < total; i += 4) ST(dx + i, wasm_f32x4_splat(0.0f));
  const int G = row_group(Wo, Ho, BPI_GROUP_COLUMNS);
  for (int n = 0; n < N; n++) {
    for (int ho0 = 0; ho0 < Ho; ho0 += G) {
      int ho1 = ho0 + G < Ho ? ho0 + G : Ho;
      for (int kh = 0; kh < KH; kh++) {
        for (int kw = 0; kw < KW; kw++) {
          int x0 = kw - pl, wo0, wo1;
          valid_columns(W, Wo, sw, x0, &wo0, &wo1);
          if (wo0 >= wo1) continue;
          for (int ci = 0; ci < Ci; ci += 8) {
            const float *wb = wp + ((kh * KW + kw) * (Ci / 8) + ci / 8) * Co * 8;
            for (int ho = ho0; ho < ho1; ho++) {
              int hi = ho * sh + kh - pt;
              if (hi < 0 || hi >= H) continue;
              const float *dyr = dy + ((n * Ho + ho) * Wo) * Co;
              float *dxr = dx + ((n * H + hi) * W) * Ci;
              int wo = wo0;
              for (; wo + 4 <= wo1; wo += 4) bpi_tile(dyr, wb, dxr, Ci, Co, sw, x0, wo, ci, 4);
              for (; wo < wo1; wo++) bpi_tile(dyr, wb, dxr, Ci, Co, sw, x0, wo, ci, 1);
            }
          }
        }
      }
    }
  }
}

/*
 * The filter packings the kernel above takes, done here because TF.js's generic Reverse and
 * 5-D Transpose took 130 and 20-40 ms for a 3x3 512x512 filter (its own packing, per call).
 *
 * For the input gradient: wp[kh, kw, ci / 8, co, ci % 8] = w[kh, kw, ci, co].
 */
EXPORT(pack_filter_for_input_gradient)
void pack_filter_for_input_gradient(const float *w, float *wp, int KH, int KW, int Ci, int Co) {
  for (int k = 0; k < KH * KW; k++) {
    const float *src = w + k * Ci * Co;
    float *dst = wp + k * Ci * Co;
    for (int cb = 0; cb < Ci; cb += 8)
      for (int co = 0; co < Co; co++)
        for (int j = 0; j < 8; j++) dst[(cb / 8 * Co + co) * 8 + j] = src[(cb + j) * Co + co];
  }
}

/*
 * For a stride-1 forward convolution run as the input gradient of its rotated filter:
 * wp[kh, kw, co / 8, ci, co % 8] = w[KH-1-kh, KW-1-kw, ci, co] (Co a multiple of 8).
 */
EXPORT(pack_filter_for_forward)
void pack_filter_for_forward(const float *w, float *wp, int KH, int KW, int Ci, int Co) {
  for (int kh = 0; kh < KH; kh++)
    for (int kw = 0; kw < KW; kw++) {
      const float *src = w + ((KH - 1 - kh) * KW + (KW - 1 - kw)) * Ci * Co;
      float *dst = wp + (kh * KW + kw) * Ci * Co;
      for (int ci = 0; ci < Ci; ci++)
        for (int cb = 0; cb < Co; cb += 8) {
          const float *s8 = src + ci * Co + cb;
          float *d8 = dst + (cb / 8 * Ci + ci) * 8;
          ST(d8, LD(s8));
          ST(d8 + 4, LD(s8 + 4));
        }
    }
}

/* ---------------------------------------------------------------------------------------------
 * The matrix product of the Winograd convolution (below): per transformed position xi,
 * M[xi] = V[xi] U[xi], in the same 4 x 8 register tiles as the gradient kernels above. */
/* M[xi, q0..q0+J, co..co+8] = V[xi, q0..q0+J, :] U[xi, co / 8, :, :] */
INLINE void winograd_gemm_tile(const float *Vx, const float *Ub, float *Mx, int Ci, int Co, int q0,
                               int co, int J) {
  f4 acc[4][2];
  for (int j = 0; j < J; j++) acc[j][0] = wasm_f32x4_splat(0.0f), acc[j][1] = acc[j][0];
  for (int ci = 0; ci < Ci; ci++) {
    f4 u0 = LD(Ub + ci * 8), u1 = LD(Ub + ci * 8 + 4);
    for (int j = 0; j < J; j++) {
      f4 s = wasm_v128_load32_splat(Vx + (q0 + j) * Ci + ci);
      acc[j][0] = MADD(s, u0, acc[j][0]);
      acc[j][1] = MADD(s, u1, acc[j][1]);
    }
  }
  for (int j = 0; j < J; j++) {
    ST(Mx + (q0 + j) * Co + co, acc[j][0]);
    ST(Mx + (q0 + j) * Co + co + 4, acc[j][1]);
  }
}

/* ---------------------------------------------------------------------------------------------
 * 3x3 stride-1 convolution by Winograd's F(4x4, 3x3), NHWC:
 *   y[n, h, w, co] = sum over kh, kw, ci of x[n, h + kh - pt, w + kw - pl, ci] g[kh, kw, ci, co]
 * Each 4x4 block of outputs ("tile") is computed from the 6x6 input patch under it as
 *   Y = A^T [ (G g G^T) .* (B^T d B) ] A,
 * summed over ci inside the brackets: 36 products per (tile, ci, co) instead of the direct sum's
 * 144, four times fewer than a direct convolution's and 1.78 times fewer than F(2x2, 3x3)'s 16
 * per 2x2 tile, with 2.25 instead of 4 transformed values per output to write and read back.
 * The matrices are Lavin and Gray's (interpolation points 0, 1, -1, 2, -2 and infinity):
 *   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 * Their larger coefficients (5, 8) cost precision: at 512 channels the error is 1.6e-5 of the
 * largest output against a float64 sum (F(2x2, 3x3) 7.7e-7, a direct float32 sum 2.5e-6), as in
 * cuDNN and oneDNN, which use F(4x4, 3x3) for the same speed; the tests hold it to 5e-5.
 *
 * Memory: the filter transform U[xi, co / 8, ci, co % 8] (36 Ci Co floats), and per chunk of tc
 * tiles the input transform V[xi, tile, ci] and the products M[xi, tile, co], all provided by
 * the caller. Ci a multiple of 4, Co a multiple of 8.
 */

/* The six rows of G applied to three vectors (the filter transform's two passes). */
INLINE void winograd43_g(f4 g0, f4 g1, f4 g2, f4 out[6]) {
  const f4 quarter = wasm_f32x4_splat(0.25f), sixth = wasm_f32x4_splat(1.0f / 6.0f);
  const f4 twelfth = wasm_f32x4_splat(1.0f / 12.0f), r24 = wasm_f32x4_splat(1.0f / 24.0f);
  const f4 outer = ADD(g0, g2), even = MUL(g0, r24), odd = MUL(g1, twelfth);
  out[0] = MUL(g0, quarter);
  out[1] = wasm_f32x4_neg(MUL(ADD(outer, g1), sixth));
  out[2] = wasm_f32x4_neg(MUL(SUB(outer, g1), sixth));
  const f4 last = ADD(even, MUL(g2, sixth));
  out[3] = ADD(last, odd);
  out[4] = SUB(last, odd);
  out[5] = g2;
}

/* U from g. `rotated`: g[kh, kw, ci, co] = w[2 - kh, 2 - kw, co, ci] (w is [3, 3, Co, Ci]): the
 * input gradient of a stride-1 convolution is this convolution of dy. Otherwise g = w.
 *
 * U is written in blocks of WINOGRAD_CI_BLOCK input channels by eight output channels, each of
 * the 36 positions a contiguous run: U's layout puts consecutive output-channel groups Ci * 32
 * bytes apart (16 KB at 512 channels), so a loop over output channels inside one input channel
 * touched a new page per store, 2304 pages per channel, more than the TLB holds: 31 ms for
 * 512 x 512 where 256 x 256 took 4.6. Blocked by 32: 10 and 2.3 ms (8, 64, 128 and 512 measured
 * within 20% of it). */
#define WINOGRAD_CI_BLOCK 32

/* g's nine taps for output channels co..co+3 of input channel ci. */
INLINE void winograd_filter_taps(const float *w, int Ci, int Co, int rotated, int ci, int co,
                                 f4 g[3][3]) {
  for (int kh = 0; kh < 3; kh++)
    for (int kw = 0; kw < 3; kw++) {
      if (rotated) {
        const float *b = w + ((2 - kh) * 3 + (2 - kw)) * Ci * Co + ci;
        g[kh][kw] = wasm_f32x4_make(b[co * Ci], b[(co + 1) * Ci], b[(co + 2) * Ci], b[(co + 3) * Ci]);
      } else {
        g[kh][kw] = LD(w + ((kh * 3 + kw) * Ci + ci) * Co + co);
      }
    }
}

/* The 36 values of G g G^T, u[i * 6 + j], for four output channels. */
INLINE void winograd_filter_tile(f4 g[3][3], f4 u[36]) {
  /* t = G g: 6x3, column by column */
  f4 t[6][3];
  for (int k = 0; k < 3; k++) {
    f4 col[6];
    winograd43_g(g[0][k], g[1][k], g[2][k], col);
    for (int i = 0; i < 6; i++) t[i][k] = col[i];
  }
  /* u = t G^T: 6x6, row by row */
  for (int i = 0; i < 6; i++) winograd43_g(t[i][0], t[i][1], t[i][2], u + i * 6);
}

EXPORT(winograd_filter_transform)
void winograd_filter_transform(const float *w, float *U, int Ci, int Co, int rotated) {
  const int groups = Co / 8;
  for (int ci0 = 0; ci0 < Ci; ci0 += WINOGRAD_CI_BLOCK) {
    const int ci1 = ci0 + WINOGRAD_CI_BLOCK < Ci ? ci0 + WINOGRAD_CI_BLOCK : Ci;
    for (int co = 0; co < Co; co += 8) {
      for (int ci = ci0; ci < ci1; ci++) {
        for (int half = 0; half < 8; half += 4) {
          f4 g[3][3], u[36];
          winograd_filter_taps(w, Ci, Co, rotated, ci, co + half, g);
          winograd_filter_tile(g, u);
          /* U[xi, co / 8, ci, co % 8] */
          float *dst = U + ((co / 8) * Ci + ci) * 8 + half;
          for (int xi = 0; xi < 36; xi++) ST(dst + xi * groups * Ci * 8, u[xi]);
        }
      }
    }
  }
}

/* The six rows of B^T applied to six vectors (the input transform's two passes). */
INLINE void winograd43_bt(const f4 d[6], f4 out[6]) {
  const f4 two = wasm_f32x4_splat(2.0f), four = wasm_f32x4_splat(4.0f), five = wasm_f32x4_splat(5.0f);
  const f4 s12 = ADD(d[1], d[2]), s34 = ADD(d[3], d[4]);
  const f4 m12 = SUB(d[1], d[2]), m34 = SUB(d[4], d[3]);
  const f4 e42 = SUB(d[4], d[2]), e31 = MUL(SUB(d[3], d[1]), two);
  out[0] = ADD(SUB(MUL(d[0], four), MUL(d[2], five)), d[4]);
  out[1] = SUB(s34, MUL(s12, four));
  out[2] = ADD(m34, MUL(m12, four));
  out[3] = ADD(e42, e31);
  out[4] = SUB(e42, e31);
  out[5] = ADD(SUB(MUL(d[1], four), MUL(d[3], five)), d[5]);
}

/* V[xi, q, ci..ci+4] for tile q of the chunk, from the 6x6 patch at (h0, w0) (zeros outside). */
INLINE void winograd43_input_tile(const float *xn, float *V, int H, int W, int Ci, int tc, int q,
                                  int h0, int w0) {
  const f4 zero = wasm_f32x4_splat(0.0f);
  for (int ci = 0; ci < Ci; ci += 4) {
    /* t = B^T d, column by column */
    f4 t[6][6];
    for (int j = 0; j < 6; j++) {
      const int ww = w0 + j;
      f4 d[6], col[6];
      for (int i = 0; i < 6; i++) {
        const int h = h0 + i;
        d[i] = (h >= 0 && h < H && ww >= 0 && ww < W) ? LD(xn + (h * W + ww) * Ci + ci) : zero;
      }
      winograd43_bt(d, col);
      for (int i = 0; i < 6; i++) t[i][j] = col[i];
    }
    /* v = t B, row by row */
    for (int i = 0; i < 6; i++) {
      f4 v[6];
      winograd43_bt(t[i], v);
      for (int j = 0; j < 6; j++) ST(V + ((i * 6 + j) * tc + q) * Ci + ci, v[j]);
    }
  }
}

/* The four rows of A^T applied to six vectors (the output transform's two passes). */
INLINE void winograd43_at(const f4 m[6], f4 out[4]) {
  const f4 two = wasm_f32x4_splat(2.0f), four = wasm_f32x4_splat(4.0f), eight = wasm_f32x4_splat(8.0f);
  const f4 a = ADD(m[1], m[2]), b = SUB(m[1], m[2]), c = ADD(m[3], m[4]), d = SUB(m[3], m[4]);
  out[0] = ADD(ADD(m[0], a), c);
  out[1] = ADD(b, MUL(d, two));
  out[2] = ADD(a, MUL(c, four));
  out[3] = ADD(ADD(b, MUL(d, eight)), m[5]);
}

EXPORT(winograd_conv3x3)
void winograd_conv3x3(const float *x, const float *U, float *y, int N, int H, int W, int Ci, int Ho,
                      int Wo, int Co, int pt, int pl, float *V, float *Mbuf, int tc) {
  const int th = (Ho + 3) / 4, tw = (Wo + 3) / 4, tiles = N * th * tw;
  for (int t0 = 0; t0 < tiles; t0 += tc) {
    const int nt = tiles - t0 < tc ? tiles - t0 : tc;
    for (int q = 0; q < nt; q++) {
      int t = t0 + q, n = t / (th * tw), r = t - n * th * tw, ty = r / tw, tx = r - ty * tw;
      winograd43_input_tile(x + n * H * W * Ci, V, H, W, Ci, tc, q, 4 * ty - pt, 4 * tx - pl);
    }
    for (int xi = 0; xi < 36; xi++) {
      const float *Vx = V + xi * tc * Ci;
      float *Mx = Mbuf + xi * tc * Co;
      for (int co = 0; co < Co; co += 8) {
        const float *Ub = U + (xi * (Co / 8) + co / 8) * Ci * 8;
        int q = 0;
        for (; q + 4 <= nt; q += 4) winograd_gemm_tile(Vx, Ub, Mx, Ci, Co, q, co, 4);
        for (; q < nt; q++) winograd_gemm_tile(Vx, Ub, Mx, Ci, Co, q, co, 1);
      }
    }
    /* Y = A^T m A */
    for (int q = 0; q < nt; q++) {
      int t = t0 + q, n = t / (th * tw), r = t - n * th * tw, ty = r / tw, tx = r - ty * tw;
      const int h0 = 4 * ty, w0 = 4 * tx;
      const int rows = Ho - h0 < 4 ? Ho - h0 : 4, cols = Wo - w0 < 4 ? Wo - w0 : 4;
      for (int co = 0; co < Co; co += 4) {
        /* a = A^T m: 4x6, column by column */
        f4 a[4][6];
        for (int j = 0; j < 6; j++) {
          f4 m[6], col[4];
          for (int i = 0; i < 6; i++) m[i] = LD(Mbuf + ((i * 6 + j) * tc + q) * Co + co);
          winograd43_at(m, col);
          for (int i = 0; i < 4; i++) a[i][j] = col[i];
        }
        for (int i = 0; i < rows; i++) {
          f4 out[4];
          winograd43_at(a[i], out);
          float *row = y + ((n * Ho + h0 + i) * Wo + w0) * Co + co;
          for (int j = 0; j < cols; j++) ST(row + j * Co, out[j]);
        }
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * The filter gradient of a 3x3 stride-1 convolution by Winograd's F(3x3, 4x4), NHWC:
 *   dw[kh, kw, ci, co] = sum over n, h, w of x[n, h + kh - pt, w + kw - pl, ci] dy[n, h, w, co]
 * Split dy into the forward pass's 4x4 output tiles: each tile's share of dw is a 3x3 correlation
 * of the tile's 6x6 input patch with its 4x4 block of dy. Pairing the forward identity
 * Y = A^T [(G g G^T) .* (B^T d B)] A with dY gives that share as G^T [(A dY A^T) .* (B^T d B)] G,
 * and since G^T . G is linear the 36 transformed products are summed over all tiles first:
 *   M[xi, ci, co] = sum over tiles of V[xi, tile, ci] E[xi, tile, co],  dw = G^T M G.
 * 36 products per (tile, ci, co) instead of the direct sum's 144 (F(3x3, 2x2): 16 per 2x2 tile).
 * V is the forward's input transform (winograd43_input_tile), E = A dY A^T with the forward's A,
 * and G the forward's (F(4x4, 3x3) above), so the error is of the same order as the forward's.
 *
 * Memory, from the caller: M (36 Ci Co floats) and per chunk of tc tiles V[xi, tile, ci] and
 * E[xi, tile, co]. Ci a multiple of 4, Co a multiple of 8.
 */

/* The six rows of A (6x4, the forward's A^T transposed) applied to four vectors. */
INLINE void winograd43_a(f4 e0, f4 e1, f4 e2, f4 e3, f4 out[6]) {
  const f4 two = wasm_f32x4_splat(2.0f), four = wasm_f32x4_splat(4.0f), eight = wasm_f32x4_splat(8.0f);
  const f4 p = ADD(e0, e2), q = ADD(e1, e3);
  const f4 r = ADD(e0, MUL(e2, four)), s = ADD(MUL(e1, two), MUL(e3, eight));
  out[0] = e0;
  out[1] = ADD(p, q);
  out[2] = SUB(p, q);
  out[3] = ADD(r, s);
  out[4] = SUB(r, s);
  out[5] = e3;
}

/* E[xi, q, co..co+4] for tile q from dy's 4x4 block at (h0, w0) (zeros past Ho, Wo). */
INLINE void winograd43_dy_tile(const float *dyn, float *E, int Ho, int Wo, int Co, int tc, int q,
                               int h0, int w0) {
  const f4 zero = wasm_f32x4_splat(0.0f);
  const int rows = Ho - h0 < 4 ? Ho - h0 : 4, cols = Wo - w0 < 4 ? Wo - w0 : 4;
  for (int co = 0; co < Co; co += 4) {
    /* t = A e (6x4), column by column */
    f4 t[6][4];
    for (int j = 0; j < 4; j++) {
      f4 e[4], col[6];
      for (int i = 0; i < 4; i++)
        e[i] = i < rows && j < cols ? LD(dyn + ((h0 + i) * Wo + w0 + j) * Co + co) : zero;
      winograd43_a(e[0], e[1], e[2], e[3], col);
      for (int i = 0; i < 6; i++) t[i][j] = col[i];
    }
    /* u = t A^T (6x6), row by row */
    for (int i = 0; i < 6; i++) {
      f4 u[6];
      winograd43_a(t[i][0], t[i][1], t[i][2], t[i][3], u);
      for (int j = 0; j < 6; j++) ST(E + ((i * 6 + j) * tc + q) * Co + co, u[j]);
    }
  }
}

/* The three rows of G^T applied to six vectors. */
INLINE void winograd43_gt(const f4 m[6], f4 out[3]) {
  const f4 quarter = wasm_f32x4_splat(0.25f), sixth = wasm_f32x4_splat(1.0f / 6.0f);
  const f4 twelfth = wasm_f32x4_splat(1.0f / 12.0f), r24 = wasm_f32x4_splat(1.0f / 24.0f);
  const f4 s12 = ADD(m[1], m[2]), d12 = SUB(m[2], m[1]);
  const f4 s34 = ADD(m[3], m[4]), d34 = SUB(m[3], m[4]);
  out[0] = ADD(SUB(MUL(m[0], quarter), MUL(s12, sixth)), MUL(s34, r24));
  out[1] = ADD(MUL(d12, sixth), MUL(d34, twelfth));
  out[2] = ADD(MUL(SUB(s34, s12), sixth), m[5]);
}

/* M[xi, ci..ci+4, co..co+8] += V[xi, 0..nt, ci..ci+4]^T E[xi, 0..nt, co..co+8], or = on the
 * first chunk (`first`): M is not zeroed beforehand, which was a pass over all 36 Ci Co floats
 * per call whatever the batch (a replica's shard did not shorten it). */
INLINE void winograd_grad_gemm_tile(const float *Vx, const float *Ex, float *Mx, int Ci, int Co,
                                    int ci, int co, int nt, int first) {
  f4 acc[4][2];
  for (int j = 0; j < 4; j++) {
    acc[j][0] = first ? wasm_f32x4_splat(0.0f) : LD(Mx + (ci + j) * Co + co);
    acc[j][1] = first ? acc[j][0] : LD(Mx + (ci + j) * Co + co + 4);
  }
  for (int q = 0; q < nt; q++) {
    f4 e0 = LD(Ex + q * Co + co), e1 = LD(Ex + q * Co + co + 4);
    const float *v = Vx + q * Ci + ci;
    for (int j = 0; j < 4; j++) {
      f4 s = wasm_v128_load32_splat(v + j);
      acc[j][0] = MADD(s, e0, acc[j][0]);
      acc[j][1] = MADD(s, e1, acc[j][1]);
    }
  }
  for (int j = 0; j < 4; j++) {
    ST(Mx + (ci + j) * Co + co, acc[j][0]);
    ST(Mx + (ci + j) * Co + co + 4, acc[j][1]);
  }
}

EXPORT(winograd_filter_grad3x3)
void winograd_filter_grad3x3(const float *x, const float *dy, float *dw, int N, int H, int W, int Ci,
                             int Ho, int Wo, int Co, int pt, int pl, float *M, float *V, float *E,
                             int tc) {
  const int th = (Ho + 3) / 4, tw = (Wo + 3) / 4, tiles = N * th * tw;
  /* The first chunk writes M (winograd_grad_gemm_tile); with no tiles there is none. */
  if (tiles == 0)
    for (int i = 0; i < 36 * Ci * Co; i += 4) ST(M + i, wasm_f32x4_splat(0.0f));
  for (int t0 = 0; t0 < tiles; t0 += tc) {
    const int nt = tiles - t0 < tc ? tiles - t0 : tc;
    for (int q = 0; q < nt; q++) {
      int t = t0 + q, n = t / (th * tw), r = t - n * th * tw, ty = r / tw, tx = r - ty * tw;
      winograd43_input_tile(x + n * H * W * Ci, V, H, W, Ci, tc, q, 4 * ty - pt, 4 * tx - pl);
      winograd43_dy_tile(dy + n * Ho * Wo * Co, E, Ho, Wo, Co, tc, q, 4 * ty, 4 * tx);
    }
    for (int xi = 0; xi < 36; xi++) {
      const float *Vx = V + xi * tc * Ci, *Ex = E + xi * tc * Co;
      float *Mx = M + xi * Ci * Co;
      for (int ci = 0; ci < Ci; ci += 4)
        for (int co = 0; co < Co; co += 8)
          winograd_grad_gemm_tile(Vx, Ex, Mx, Ci, Co, ci, co, nt, t0 == 0);
    }
  }
  /* dw = G^T m G for every (ci, co) */
  for (int ci = 0; ci < Ci; ci++) {
    for (int co = 0; co < Co; co += 4) {
      /* t = G^T m (3x6), column by column */
      f4 t[3][6];
      for (int j = 0; j < 6; j++) {
        f4 m[6], col[3];
        for (int i = 0; i < 6; i++) m[i] = LD(M + ((i * 6 + j) * Ci + ci) * Co + co);
        winograd43_gt(m, col);
        for (int i = 0; i < 3; i++) t[i][j] = col[i];
      }
      for (int i = 0; i < 3; i++) {
        f4 out[3];
        winograd43_gt(t[i], out);
        for (int j = 0; j < 3; j++) ST(dw + ((i * 3 + j) * Ci + ci) * Co + co, out[j]);
      }
    }
  }
}

/* ---------------------------------------------------------------------------------------------
 * AvgPool gradient for non-overlapping windows (filter = stride, no padding, H = Ho fh,
 * W = Wo fw): every input element gets its window's dy times `scale` (1 / window size).
 * C a multiple of 4.
 */
EXPORT(avg_pool_grad_tiled)
void avg_pool_grad_tiled(const float *dy, float *dx, int N, int Ho, int Wo, int C, int fh, int fw,
                         float scale) {
  const f4 k = wasm_f32x4_splat(scale);
  const int W = Wo * fw;
  for (int n = 0; n < N; n++) {
    for (int ho = 0; ho < Ho; ho++) {
      const float *dyr = dy + ((n * Ho + ho) * Wo) * C;
      for (int kh = 0; kh < fh; kh++) {
        float *dxr = dx + ((n * Ho + ho) * fh + kh) * W * C;
        for (int wo = 0; wo < Wo; wo++) {
          for (int c = 0; c < C; c += 4) {
            f4 g = MUL(LD(dyr + wo * C + c), k);
            for (int kw = 0; kw < fw; kw++) ST(dxr + (wo * fw + kw) * C + c, g);
          }
        }
      }
    }
  }
}
