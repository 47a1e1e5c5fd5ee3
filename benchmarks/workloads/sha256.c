/*
 * sha256: FIPS 180-4 SHA-256 over a 4 KiB buffer, each digest feeding the next buffer.
 * Self-check: the digest of "abc" must be the standard's example value.
 * Exercises 32-bit rotates, shifts, and/xor/add chains, big-endian loads.
 */
#include "bench.h"

static const u32 k256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline u32 rotr(u32 x, int n)
{
    return (x >> n) | (x << (32 - n));
}

static inline u32 load_be32(const u8 *p)
{
    return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3];
}

static NOINLINE void sha256_block(u32 h[8], const u8 *block)
{
    u32 w[64];
    for (int i = 0; i < 16; i++)
        w[i] = load_be32(block + 4 * i);
    for (int i = 16; i < 64; i++) {
        u32 s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        u32 s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    u32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (int i = 0; i < 64; i++) {
        u32 t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + k256[i] + w[i];
        u32 t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        hh = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
}

/* Whole-message SHA-256 (padding included). */
static void sha256(const u8 *msg, usize len, u8 out[32])
{
    u32 h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    usize done = 0;
    for (; len - done >= 64; done += 64)
        sha256_block(h, msg + done);
    u8 tail[128];
    usize rest = len - done;
    memset(tail, 0, sizeof(tail));
    memcpy(tail, msg + done, rest);
    tail[rest] = 0x80;
    usize tail_len = rest + 9 <= 64 ? 64 : 128;
    u64 bits = (u64)len * 8;
    for (int i = 0; i < 8; i++)
        tail[tail_len - 1 - i] = (u8)(bits >> (8 * i));
    sha256_block(h, tail);
    if (tail_len == 128)
        sha256_block(h, tail + 64);
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (u8)(h[i] >> 24);
        out[4 * i + 1] = (u8)(h[i] >> 16);
        out[4 * i + 2] = (u8)(h[i] >> 8);
        out[4 * i + 3] = (u8)h[i];
    }
}

/* FIPS 180-2, appendix B.1: SHA-256("abc"). */
static const u8 abc_digest[32] = {
    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40, 0xde, 0x5d, 0xae, 0x22, 0x23,
    0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17, 0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
};

static u8 buffer[4096];

BENCH_WORKLOAD("sha256", 30, 720)
{
    u8 digest[32];
    sha256((const u8 *)"abc", 3, digest);
    if (memcmp(digest, abc_digest, 32) != 0)
        bench_fail("sha256: digest of \"abc\" is wrong");

    u64 seed = opaque(0x243f6a8885a308d3ull);
    for (usize i = 0; i < sizeof(buffer); i++)
        buffer[i] = (u8)(bench_rand(&seed) >> 56);
    u64 sum = 0xcbf29ce484222325ull;
    for (u64 it = 0; it < iters; it++) {
        /* Odd length every other round: the padding path with two final blocks runs too. */
        sha256(buffer, sizeof(buffer) - (it & 1) * 9, digest);
        memcpy(buffer + (it & 63) * 32, digest, 32);
        for (int i = 0; i < 32; i += 8) {
            u64 v = 0;
            for (int j = 0; j < 8; j++)
                v = v << 8 | digest[i + j];
            sum = bench_mix(sum, v);
        }
    }
    return sum;
}
