# Source of the call/return test image (bytes in CMakeLists.txt), for return-address prediction:
#   gcc -c calls.S && ld -Ttext=0x100000 --oformat=binary calls.o -o calls.img
# Output (port 0x3f8) must equal the native run's. Covers: recursion deeper than the 16-entry
# prediction ring, a call whose return address is popped (call/pop), a ret to an address
# other than the one pushed by the call, an indirect call through a register, and a hot loop.
  .code64
  .globl _start
_start:
  mov $0x108000, %esp
  mov $40, %edi            # recursion 40 deep: prints 40 letters on the way back up
  call recurse
  mov $'\n', %al
  call putc
  call next                # call/pop: the pushed return address is consumed, never returned to
next:
  pop %rax
  lea redirected(%rip), %rbx
  call swap_return         # returns to `redirected`, not here
  mov $'X', %al            # never printed
  call putc
redirected:
  lea putc(%rip), %rbx
  mov $'I', %al
  call *%rbx               # indirect call
  mov $200, %ecx
hot:
  mov $'.', %al
  test $31, %ecx
  jnz 1f
  call putc                # every 32nd iteration prints
1:
  call nothing
  dec %ecx
  jnz hot
  mov $'\n', %al
  call putc
  hlt
recurse:                   # prints 'a' + depth % 26 after the inner call returns
  test %edi, %edi
  jz 2f
  push %rdi
  dec %edi
  call recurse
  pop %rdi
  mov %edi, %eax
  xor %edx, %edx
  mov $26, %esi
  div %esi
  lea 'a'(%rdx), %eax
  call putc
2:
  ret
swap_return:               # replaces its own return address with %rbx
  mov %rbx, (%rsp)
  ret
nothing:
  ret
putc:
  mov $0x3f8, %dx
  out %al, (%dx)
  ret
