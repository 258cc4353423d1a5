"""A check that a file is whole enough to dlopen. The dynamic loader maps a
truncated library without complaint and the process then dies of SIGBUS when
it touches the missing pages, so the package looks at the ELF headers first
(the same check as lowbit-run's)."""

import os
import struct

_ELF_HEADER = struct.Struct("<16sHHIQQQIHHHHHH")
_PROGRAM_HEADER = struct.Struct("<IIQQQQQQ")
_ELFCLASS64, _ET_DYN, _PT_NULL = 2, 3, 0


def check_shared_object(path):
    """None when `path` is a 64-bit ELF shared object whose segments and
    section headers lie inside the file (or cannot be opened: the loader
    then says why); otherwise the reason it is not."""
    try:
        with open(path, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            head = f.read(_ELF_HEADER.size)
            if len(head) < _ELF_HEADER.size or not head.startswith(b"\x7fELF"):
                return f"{path} is not a shared library (no ELF header)"
            (ident, e_type, _, _, _, phoff, shoff, _, _, phentsize, phnum,
             shentsize, shnum, _) = _ELF_HEADER.unpack(head)
            if ident[4] != _ELFCLASS64 or e_type != _ET_DYN:
                return f"{path} is not a 64-bit ELF shared library"
            damaged = f"{path} is truncated or damaged: "
            if (phentsize != _PROGRAM_HEADER.size
                    or phoff + phnum * _PROGRAM_HEADER.size > size):
                return damaged + "its program headers lie outside the file"
            f.seek(phoff)
            table = f.read(phnum * _PROGRAM_HEADER.size)
            for i in range(phnum):
                p_type, _, p_offset, _, _, p_filesz, _, _ = \
                    _PROGRAM_HEADER.unpack_from(table, i * _PROGRAM_HEADER.size)
                if p_type != _PT_NULL and p_offset + p_filesz > size:
                    return (damaged + f"it is {size} bytes long, but a segment "
                            f"ends at byte {p_offset + p_filesz}")
            if shnum and shoff + shnum * shentsize > size:
                return damaged + "its section headers lie outside the file"
    except OSError:
        return None
    return None
