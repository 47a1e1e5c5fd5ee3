# Source of the per-page self-modifying-code test image (bytes in CMakeLists.txt):
#   gcc -c smc-page.S && ld -Ttext=0x100000 --oformat=binary smc-page.o -o smc-page.img
# The loop (first page) calls `print` (second page) and then changes print's immediate. Only
# print's page is written, so only its blocks are invalidated: the loop's chained call into the
# old print must be undone, or the second call would print the old letter again.
  .code64
  .globl _start
_start:
  mov $0x108000, %esp
  mov $3, %ecx
loop:
  call print
  incb print_imm(%rip)
  dec %ecx
  jnz loop
  mov $'\n', %al
  mov $0x3f8, %dx
  out %al, (%dx)
  hlt
  .balign 4096
print:
  .byte 0xb0               # mov al, imm8
print_imm:
  .byte 0x41
  mov $0x3f8, %dx
  out %al, (%dx)
  ret
