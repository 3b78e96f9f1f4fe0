/* mandelbrot.c — escape-time Mandelbrot over a 900x600 grid: a tight
 * double loop with an unpredictable exit. */
#include "bench.h"

BENCH_EXPORT uint64_t run(void) {
    int w = (int)bench_opaque(900), h = 600, max_iter = 256;
    uint64_t total = 0;
    for (int py = 0; py < h; py++) {
        double ci = -1.2 + 2.4 * py / h;
        for (int px = 0; px < w; px++) {
            double cr = -2.2 + 3.2 * px / w;
            double zr = 0, zi = 0;
            int it = 0;
            while (it < max_iter && zr * zr + zi * zi <= 4.0) {
                double t = zr * zr - zi * zi + cr;
                zi = 2 * zr * zi + ci;
                zr = t;
                it++;
            }
            total = total * 31 + (uint64_t)it;
        }
    }
    return total;
}
