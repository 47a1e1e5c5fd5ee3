/*
 * pointer_chase: follows a single random cycle through 128 Ki nodes (1 MiB of next-indices),
 * which defeats any prefetching and, for a system-level translator, exercises the software TLB
 * on every load. The cycle is built with Sattolo's algorithm (bounded random numbers by
 * multiply-high, no division). Self-check: the walk returns to the start after exactly N steps.
 */
#include "bench.h"

#define N (128 * 1024)

static u32 next_index[N];

BENCH_WORKLOAD("pointer_chase", 8, 700)
{
    u64 seed = opaque(0xa4093822299f31d0ull);
    for (u32 i = 0; i < N; i++)
        next_index[i] = i;
    for (u32 i = N - 1; i > 0; i--) {
        u32 j = (u32)(((bench_rand(&seed) >> 32) * (u64)i) >> 32);   /* 0 <= j < i */
        u32 t = next_index[i];
        next_index[i] = next_index[j];
        next_index[j] = t;
    }
    u64 sum = 0xcbf29ce484222325ull;
    u32 p = 0;
    for (u64 it = 0; it < iters; it++) {
        u64 acc = 0;
        u32 start = p;
        /* Eight chases per round, unrolled by hand so the loop overhead stays small. */
        for (u32 step = 0; step < N; step += 8) {
            p = next_index[p]; acc += p;
            p = next_index[p]; acc ^= p;
            p = next_index[p]; acc += p;
            p = next_index[p]; acc ^= p;
            p = next_index[p]; acc += p;
            p = next_index[p]; acc ^= p;
            p = next_index[p]; acc += p;
            p = next_index[p]; acc ^= p;
        }
        if (p != start)
            bench_fail("pointer_chase: the walk is not a single cycle of N nodes");
        sum = bench_mix(sum, acc);
        /* Start the next round elsewhere on the cycle. */
        p = next_index[(u32)(acc & (N - 1))];
    }
    return sum;
}
