# Source of the self-modifying-code test image (bytes in CMakeLists.txt):
#   gcc -c smc.S && ld -Ttext=0x100000 --oformat=binary smc.o -o smc.img
  .code64
  .globl _start
_start:
  mov $0x108000, %esp
  mov $3, %ecx
loop:
  call print
  incb print_imm(%rip)     # modifies translated code: the next call prints the next letter
  dec %ecx
  jnz loop
  hlt
print:
  .byte 0xb0               # mov al, imm8
print_imm:
  .byte 0x41
  mov $0x3f8, %dx
  out %al, (%dx)
  ret
