/*
 * recursion: call-heavy code. Naive Fibonacci, Ackermann(2, n) and a recursive build + walk of a
 * binary tree in a static pool. Self-checks: fib against the iterative loop, Ackermann(2, n) =
 * 2n + 3, the tree holds exactly the number of nodes it was built with.
 */
#include "bench.h"

static NOINLINE u64 fib(u64 n)
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static NOINLINE u64 ackermann(u64 m, u64 n)
{
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ackermann(m - 1, 1);
    return ackermann(m - 1, ackermann(m, n - 1));
}

struct node {
    struct node *left, *right;
    u64 value;
};

#define POOL (1 << 12)
static struct node pool[POOL];
static u32 pool_used;

static NOINLINE struct node *build(int depth, u64 value)
{
    struct node *n = &pool[pool_used++];
    n->value = value;
    if (depth == 0) {
        n->left = n->right = 0;
    } else {
        n->left = build(depth - 1, value * 2 + 1);
        n->right = build(depth - 1, value * 3 + 7);
    }
    return n;
}

static NOINLINE u64 walk(const struct node *n, u64 *count)
{
    if (!n)
        return 0;
    ++*count;
    u64 l = walk(n->left, count);
    u64 r = walk(n->right, count);
    return bench_mix(l, r) ^ n->value;
}

BENCH_WORKLOAD("recursion", 2, 56)
{
    u64 sum = 0xcbf29ce484222325ull;
    u64 n = opaque(24);
    u64 a = 0, b = 1;
    for (u64 i = 0; i < n; i++) {
        u64 t = a + b;
        a = b;
        b = t;
    }
    for (u64 it = 0; it < iters; it++) {
        u64 f = fib(n);
        if (f != a)
            bench_fail("recursion: fib differs from the iterative value");
        sum = bench_mix(sum, f);
        u64 k = opaque(200 + it);
        u64 ack = ackermann(2, k);
        if (ack != 2 * k + 3)
            bench_fail("recursion: ackermann(2, n) != 2n + 3");
        sum = bench_mix(sum, ack);
        for (int rep = 0; rep < 8; rep++) {
            pool_used = 0;
            struct node *root = build(11, it + (u64)rep);
            u64 count = 0;
            sum = bench_mix(sum, walk(root, &count));
            if (count != (1u << 12) - 1 || pool_used != count)
                bench_fail("recursion: tree node count is wrong");
        }
    }
    return sum;
}
