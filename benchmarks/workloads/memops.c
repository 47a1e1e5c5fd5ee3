/*
 * memops: the runtime's memcpy, memset and strlen at 16 B, 256 B, 4 KiB and 64 KiB, each size
 * moving about the same number of bytes per iteration, with aligned and misaligned pointers.
 * Self-check: copies compare equal to their source, memset regions hold the fill byte, strlen
 * finds the terminator that was planted.
 */
#include "bench.h"

#define BUF 65536

static u8 src[BUF + 64] ALIGNED(64);
static u8 dst[BUF + 64] ALIGNED(64);

/* Sizes as powers of two: the repeat count is a shift, not a division. */
static const u8 size_log2[4] = {4, 8, 12, 16};

BENCH_WORKLOAD("memops", 1, 20)
{
    u64 seed = opaque(0x13198a2e03707344ull);
    for (usize i = 0; i < sizeof(src); i++) {
        u8 b = (u8)(bench_rand(&seed) >> 56);
        src[i] = b ? b : 1;   /* no zero bytes: strlen stops only where we plant one */
    }
    u64 sum = 0xcbf29ce484222325ull;
    for (u64 it = 0; it < iters; it++) {
        for (int s = 0; s < 4; s++) {
            usize n = (usize)1 << size_log2[s];
            usize reps = (usize)(4 * BUF) >> size_log2[s];   /* 256 KiB per size and operation */
            for (usize r = 0; r < reps; r++) {
                usize so = (r + it) & 7, d_off = (r * 3) & 7;   /* mixes aligned and misaligned */
                memcpy(dst + d_off, src + so, n);
                sum = bench_mix(sum, dst[d_off + ((r * 13) & (n - 1))]);
            }
            if (memcmp(dst + 1, src + 2, n) != 0) {
                memcpy(dst + 1, src + 2, n);
                if (memcmp(dst + 1, src + 2, n) != 0)
                    bench_fail("memops: memcpy result differs from its source");
            }
            for (usize r = 0; r < reps; r++) {
                usize off = (r + it) & 7;
                memset(dst + off, (int)(r + s), n);
                sum = bench_mix(sum, dst[off + n - 1]);
            }
            for (usize i = 0; i < n; i++) {
                if (dst[((reps - 1 + it) & 7) + i] != (u8)(reps - 1 + s)) {
                    bench_fail("memops: memset left a wrong byte");
                    break;
                }
            }
            for (usize r = 0; r < reps; r++) {
                usize off = (r * 5) & 7;
                usize len = n - 1 - ((r * 7) & (n / 2 - 1));
                u8 saved = src[off + len];
                src[off + len] = 0;
                usize got = strlen((const char *)src + off);
                src[off + len] = saved;
                if (got != len)
                    bench_fail("memops: strlen returned a wrong length");
                sum = bench_mix(sum, got);
            }
        }
    }
    return sum;
}
