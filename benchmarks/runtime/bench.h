/*
 * Interface between a benchmark workload and the two runtimes it is linked with:
 *   runtime/guest_*  -> flat guest image for BMBT (serial port 0x3f8, ends with hlt)
 *   runtime/linux_*  -> static x86-64 Linux executable (write(1), exit_group)
 * The workload code is compiled once per size with the same flags for both, so BMBT, the peers
 * and the native CPU execute the same instructions in the workload itself.
 *
 * A workload file defines exactly one BENCH_WORKLOAD(name, ci_iters, full_iters) followed by the
 * body of `u64 bench_run(u64 iters)`, which returns a checksum, and may call bench_fail() when an
 * internal self-check fails (e.g. decompress(compress(x)) != x). The size is chosen at compile time
 * (-DBENCH_SIZE_FULL or not) because a guest image has no command line.
 */
#ifndef BMBT_BENCH_H
#define BMBT_BENCH_H

typedef unsigned long long u64;
typedef long long s64;
typedef unsigned int u32;
typedef int s32;
typedef unsigned short u16;
typedef short s16;
typedef unsigned char u8;
typedef signed char s8;
typedef unsigned long usize;

#define NOINLINE __attribute__((noinline, noclone))
#define ALIGNED(n) __attribute__((aligned(n)))

/* Hide a value from the optimiser (no instruction emitted): stops constant folding of the
 * iteration count and of inputs derived from constants. */
static inline u64 opaque(u64 v)
{
    __asm__("" : "+r"(v));
    return v;
}

/* Provided by the runtime. */
void bench_putc(char c);
void bench_flush(void);

/* Provided by runtime/bench_main.c. */
void bench_puts(const char *s);
void bench_put_hex64(u64 v);
void bench_put_dec(u64 v);
void bench_fail(const char *what);   /* records a failed self-check; output says "check: FAIL" */

/* Provided by runtime/libc.c: the only "library" the workloads have. Written here, compiled with
 * -fno-builtin so the compiler cannot replace the loops with calls or string instructions. */
void *memcpy(void *dst, const void *src, usize n);
void *memset(void *dst, int c, usize n);
void *memmove(void *dst, const void *src, usize n);
int memcmp(const void *a, const void *b, usize n);
usize strlen(const char *s);

/* Deterministic input generator shared by the workloads (xorshift64*). */
static inline u64 bench_rand(u64 *state)
{
    u64 x = *state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *state = x;
    return x * 0x2545f4914f6cdd1dull;
}

/* FNV-1a style 64-bit mixing of a value into a running checksum. */
static inline u64 bench_mix(u64 h, u64 v)
{
    h ^= v;
    return h * 0x100000001b3ull;
}

#ifdef BENCH_SIZE_FULL
#define BENCH_PICK(ci, full) (full)
#define BENCH_SIZE_NAME "full"
#else
#define BENCH_PICK(ci, full) (ci)
#define BENCH_SIZE_NAME "ci"
#endif

#define BENCH_WORKLOAD(name, ci_iters, full_iters)                 \
    const char bench_name[] = name;                                \
    const u64 bench_iterations = BENCH_PICK(ci_iters, full_iters); \
    u64 bench_run(u64 iters)

extern const char bench_name[];
extern const u64 bench_iterations;
u64 bench_run(u64 iters);

#endif
