/* Training-mode tdBN's passes (glif/tdbn-fused.ts explains the maths). */
#include "simd.h"

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
