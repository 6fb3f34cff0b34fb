#include "simd.h"

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
