/* The gradients of a convolution (as direct sums) and the filter layouts they and the forward read. */
#include "simd.h"

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
