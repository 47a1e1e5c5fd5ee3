/*
 * quicksort: sorts 4096 pseudo-random 64-bit keys per iteration (median-of-three Hoare partition,
 * insertion sort below 16 elements, recursion on the smaller side). Self-check: the result is
 * non-decreasing and its sum equals the input's.
 */
#include "bench.h"

#define N 4096

static u64 keys[N];

static void insertion_sort(u64 *a, s64 n)
{
    for (s64 i = 1; i < n; i++) {
        u64 v = a[i];
        s64 j = i - 1;
        while (j >= 0 && a[j] > v) {
            a[j + 1] = a[j];
            j--;
        }
        a[j + 1] = v;
    }
}

static inline void swap(u64 *a, u64 *b)
{
    u64 t = *a;
    *a = *b;
    *b = t;
}

static NOINLINE void quicksort(u64 *a, s64 n)
{
    while (n > 16) {
        s64 mid = n >> 1;
        if (a[mid] < a[0]) swap(&a[mid], &a[0]);
        if (a[n - 1] < a[0]) swap(&a[n - 1], &a[0]);
        if (a[n - 1] < a[mid]) swap(&a[n - 1], &a[mid]);
        u64 pivot = a[mid];
        s64 i = -1, j = n;
        for (;;) {
            do i++; while (a[i] < pivot);
            do j--; while (a[j] > pivot);
            if (i >= j)
                break;
            swap(&a[i], &a[j]);
        }
        s64 left = j + 1;
        if (left < n - left) {
            quicksort(a, left);
            a += left;
            n -= left;
        } else {
            quicksort(a + left, n - left);
            n = left;
        }
    }
    insertion_sort(a, n);
}

BENCH_WORKLOAD("quicksort", 10, 360)
{
    u64 seed = opaque(0x9e3779b97f4a7c15ull);
    u64 sum = 0xcbf29ce484222325ull;
    for (u64 it = 0; it < iters; it++) {
        u64 in_total = 0;
        for (int i = 0; i < N; i++) {
            /* Narrow the key range every other round so duplicates are exercised too. */
            u64 k = bench_rand(&seed);
            keys[i] = (it & 1) ? (k >> 52) : k;
            in_total += keys[i];
        }
        quicksort(keys, N);
        u64 out_total = keys[0];
        for (int i = 1; i < N; i++) {
            if (keys[i - 1] > keys[i])
                bench_fail("quicksort: output not sorted");
            out_total += keys[i];
        }
        if (out_total != in_total)
            bench_fail("quicksort: keys lost");
        sum = bench_mix(sum, keys[0]);
        sum = bench_mix(sum, keys[N / 3]);
        sum = bench_mix(sum, keys[N - 1]);
    }
    return sum;
}
