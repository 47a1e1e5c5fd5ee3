/*
 * The workloads' memory and string functions. Plain C loops (compiled with -fno-builtin and
 * -fno-tree-loop-distribute-patterns) so that what a translator sees is ordinary loads, stores and
 * branches: 8 bytes at a time once the destination is aligned, bytes at the edges. The memops
 * workload measures exactly these.
 */
#include "bench.h"

typedef u64 __attribute__((may_alias)) word_alias;

/* Byte loops are indexed (d[i] = s[i]) rather than *d++ = *s++: for the latter gcc picks a single
 * `movsb`, and BMBT's frontend has no string instructions yet. Revisit once it has them. */
static inline void copy_bytes(u8 *d, const u8 *s, usize n)
{
    for (usize i = 0; i < n; i++)
        d[i] = s[i];
}

void *memcpy(void *dst, const void *src, usize n)
{
    u8 *d = dst;
    const u8 *s = src;
    usize head = (0 - (usize)d) & 7;
    if (head > n)
        head = n;
    copy_bytes(d, s, head);
    d += head;
    s += head;
    n -= head;
    if (((usize)s & 7) == 0) {
        while (n >= 32) {
            word_alias *dw = (word_alias *)d;
            const word_alias *sw = (const word_alias *)s;
            u64 a = sw[0], b = sw[1], c = sw[2], e = sw[3];
            dw[0] = a;
            dw[1] = b;
            dw[2] = c;
            dw[3] = e;
            d += 32;
            s += 32;
            n -= 32;
        }
        while (n >= 8) {
            *(word_alias *)d = *(const word_alias *)s;
            d += 8;
            s += 8;
            n -= 8;
        }
    }
    copy_bytes(d, s, n);
    return dst;
}

void *memmove(void *dst, const void *src, usize n)
{
    u8 *d = dst;
    const u8 *s = src;
    if (d <= s || d >= s + n)
        return memcpy(dst, src, n);
    /* Overlapping with dst above src: copy backwards. */
    d += n;
    s += n;
    while (n) {
        *--d = *--s;
        n--;
    }
    return dst;
}

void *memset(void *dst, int c, usize n)
{
    u8 *d = dst;
    u64 pattern = (u8)c * 0x0101010101010101ull;
    while (n && ((usize)d & 7)) {
        *d++ = (u8)c;
        n--;
    }
    while (n >= 32) {
        word_alias *dw = (word_alias *)d;
        dw[0] = pattern;
        dw[1] = pattern;
        dw[2] = pattern;
        dw[3] = pattern;
        d += 32;
        n -= 32;
    }
    while (n >= 8) {
        *(word_alias *)d = pattern;
        d += 8;
        n -= 8;
    }
    while (n) {
        *d++ = (u8)c;
        n--;
    }
    return dst;
}

int memcmp(const void *a, const void *b, usize n)
{
    const u8 *x = a, *y = b;
    for (usize i = 0; i < n; i++) {
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    }
    return 0;
}

usize strlen(const char *s)
{
    const char *p = s;
    /* Byte steps up to alignment, then the classic "has a zero byte" word test. */
    while ((usize)p & 7) {
        if (!*p)
            return (usize)(p - s);
        p++;
    }
    for (;;) {
        u64 w = *(const word_alias *)p;
        if ((w - 0x0101010101010101ull) & ~w & 0x8080808080808080ull)
            break;
        p += 8;
    }
    while (*p)
        p++;
    return (usize)(p - s);
}
