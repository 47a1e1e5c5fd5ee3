/*
 * lz: an LZ77-style byte compressor (hash of the next 4 bytes -> last position, greedy matching,
 * literal runs and (length, distance) tokens) and its decompressor, on 32 KiB of generated text
 * made of words from a small vocabulary plus noise. Self-check: decompress(compress(x)) == x.
 *
 * Token format: a control byte c. c < 0x80: c + 1 literal bytes follow. c >= 0x80: a match of
 * length (c & 0x7f) + MIN_MATCH, followed by a 16-bit little-endian distance.
 */
#include "bench.h"

#define INPUT 32768
#define MIN_MATCH 4
#define MAX_MATCH (0x7f + MIN_MATCH)
#define HASH_BITS 12

static u8 input[INPUT];
static u8 packed[INPUT + INPUT / 64 + 16];
static u8 unpacked[INPUT];
static u32 table[1 << HASH_BITS];

static const char *const words[16] = {
    "the ", "translator ", "block ", "guest ", "host ", "register ", "flags ", "memory ",
    "code ", "cache ", "jump ", "LoongArch ", "x86 ", "of ", "and ", "instruction ",
};

static inline u32 hash4(const u8 *p)
{
    u32 v = (u32)p[0] | (u32)p[1] << 8 | (u32)p[2] << 16 | (u32)p[3] << 24;
    return (v * 2654435761u) >> (32 - HASH_BITS);
}

static usize flush_literals(u8 *out, const u8 *lit, usize n)
{
    usize o = 0;
    while (n) {
        usize chunk = n > 128 ? 128 : n;
        out[o++] = (u8)(chunk - 1);
        memcpy(out + o, lit, chunk);
        o += chunk;
        lit += chunk;
        n -= chunk;
    }
    return o;
}

static NOINLINE usize compress(const u8 *in, usize n, u8 *out)
{
    memset(table, 0xff, sizeof(table));
    usize o = 0, lit_start = 0, i = 0;
    while (i + MIN_MATCH <= n) {
        u32 h = hash4(in + i);
        u32 cand = table[h];
        table[h] = (u32)i;
        if (cand != 0xffffffffu && i - cand <= 0xffff && in[cand] == in[i] && in[cand + 1] == in[i + 1] &&
            in[cand + 2] == in[i + 2] && in[cand + 3] == in[i + 3]) {
            usize len = MIN_MATCH;
            while (i + len < n && len < MAX_MATCH && in[cand + len] == in[i + len])
                len++;
            o += flush_literals(out + o, in + lit_start, i - lit_start);
            usize dist = i - cand;
            out[o++] = (u8)(0x80 | (len - MIN_MATCH));
            out[o++] = (u8)dist;
            out[o++] = (u8)(dist >> 8);
            i += len;
            lit_start = i;
        } else {
            i++;
        }
    }
    o += flush_literals(out + o, in + lit_start, n - lit_start);
    return o;
}

static NOINLINE usize decompress(const u8 *in, usize n, u8 *out)
{
    usize i = 0, o = 0;
    while (i < n) {
        u8 c = in[i++];
        if (c < 0x80) {
            usize len = (usize)c + 1;
            memcpy(out + o, in + i, len);
            i += len;
            o += len;
        } else {
            usize len = (usize)(c & 0x7f) + MIN_MATCH;
            usize dist = (usize)in[i] | (usize)in[i + 1] << 8;
            i += 2;
            /* Byte by byte: source and destination overlap when dist < len. */
            for (usize k = 0; k < len; k++, o++)
                out[o] = out[o - dist];
        }
    }
    return o;
}

BENCH_WORKLOAD("lz", 6, 200)
{
    u64 seed = opaque(0x082efa98ec4e6c89ull);
    usize n = 0;
    while (n < INPUT) {
        u64 r = bench_rand(&seed);
        const char *w = words[r & 15];
        if ((r >> 8 & 31) == 0) {
            input[n++] = (u8)(r >> 16);   /* noise byte */
            continue;
        }
        while (*w && n < INPUT)
            input[n++] = (u8)*w++;
    }
    u64 sum = 0xcbf29ce484222325ull;
    for (u64 it = 0; it < iters; it++) {
        input[(it * 7919) & (INPUT - 1)] ^= (u8)(it + 1);   /* the data changes a little every round */
        usize packed_len = compress(input, INPUT, packed);
        usize out_len = decompress(packed, packed_len, unpacked);
        if (out_len != INPUT || memcmp(unpacked, input, INPUT) != 0)
            bench_fail("lz: decompress(compress(x)) != x");
        sum = bench_mix(sum, packed_len);
        sum = bench_mix(sum, packed[packed_len >> 1]);
    }
    return sum;
}
