/*
 * Common main() of every benchmark: runs the workload and prints a fixed report, e.g.
 *   bench: sha256 size ci iterations 40
 *   check: ok
 *   checksum: 0x0123456789abcdef
 *   done
 * The harness compares the whole output across BMBT, the peers and the native CPU.
 */
#include "bench.h"

static int failures;
static const char *first_failure;

void bench_puts(const char *s)
{
    while (*s)
        bench_putc(*s++);
}

void bench_put_hex64(u64 v)
{
    bench_puts("0x");
    for (int shift = 60; shift >= 0; shift -= 4)
        bench_putc("0123456789abcdef"[(v >> shift) & 15]);
}

void bench_put_dec(u64 v)
{
    char buf[24];
    int n = 0;
    do {
        /* Decimal without a divide instruction: v / 10 via multiply-high is what gcc emits
         * anyway, but keep it explicit so the runtime never needs div. */
        u64 q = (u64)(((unsigned __int128)v * 0xcccccccccccccccdull) >> 67);
        buf[n++] = (char)('0' + (v - q * 10));
        v = q;
    } while (v);
    while (n)
        bench_putc(buf[--n]);
}

void bench_fail(const char *what)
{
    if (!failures++)
        first_failure = what;
}

int main(void)
{
    u64 iters = opaque(bench_iterations);
    bench_puts("bench: ");
    bench_puts(bench_name);
    bench_puts(" size " BENCH_SIZE_NAME " iterations ");
    bench_put_dec(iters);
    bench_putc('\n');
    u64 sum = bench_run(iters);
    if (failures) {
        bench_puts("check: FAIL (");
        bench_puts(first_failure);
        bench_puts(")\n");
    } else {
        bench_puts("check: ok\n");
    }
    bench_puts("checksum: ");
    bench_put_hex64(sum);
    bench_puts("\ndone\n");
    bench_flush();
    return failures ? 1 : 0;
}
