/* 3x3 stride-1 convolutions and their filter gradients by Winograd's minimal filtering. */
#include "simd.h"

/* ---------------------------------------------------------------------------------------------
 * The matrix product of the Winograd convolution (below): per transformed position xi,
 * M[xi] = V[xi] U[xi], in the same 4 x 8 register tiles as the direct gradient kernels
 * (conv-gradients.c). */
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
