/* Output of a guest image: one byte at a time to the COM1 data register (no UART setup needed). */
#include "bench.h"

void bench_putc(char c)
{
    __asm__ volatile("outb %0, %1" : : "a"((u8)c), "d"((u16)0x3f8) : "memory");
}

void bench_flush(void)
{
}
