//===- SharedObjectFile.cpp - is a file whole enough to dlopen? -----------===//

#include "SharedObjectFile.h"

#include <cstring>
#include <elf.h>
#include <fstream>
#include <vector>

using namespace runner;

namespace {

bool readAt(std::ifstream &file, uint64_t offset, void *out, size_t size) {
  file.seekg(static_cast<std::streamoff>(offset));
  file.read(static_cast<char *>(out), static_cast<std::streamsize>(size));
  return static_cast<size_t>(file.gcount()) == size;
}

/// offset + size <= limit, without overflow.
bool within(uint64_t offset, uint64_t size, uint64_t limit) {
  return offset <= limit && size <= limit - offset;
}

} // namespace

bool runner::checkSharedObjectFile(const std::string &path,
                                   std::string &error) {
  std::ifstream file(path, std::ios::binary | std::ios::ate);
  if (!file)
    return true; // dlopen says why it cannot open the file.
  uint64_t size = static_cast<uint64_t>(file.tellg());
  Elf64_Ehdr header;
  if (!readAt(file, 0, &header, sizeof(header)) ||
      std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0) {
    error = path + " is not a shared library (no ELF header)";
    return false;
  }
  if (header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_type != ET_DYN) {
    error = path + " is not a 64-bit ELF shared library";
    return false;
  }
  std::string truncated = path + " is truncated or damaged: ";
  if (header.e_phentsize != sizeof(Elf64_Phdr) ||
      !within(header.e_phoff, uint64_t(header.e_phnum) * sizeof(Elf64_Phdr),
              size)) {
    error = truncated + "its program headers lie outside the file";
    return false;
  }
  std::vector<Elf64_Phdr> segments(header.e_phnum);
  if (!readAt(file, header.e_phoff, segments.data(),
              segments.size() * sizeof(Elf64_Phdr))) {
    error = truncated + "cannot read its program headers";
    return false;
  }
  for (const Elf64_Phdr &segment : segments)
    if (segment.p_type != PT_NULL &&
        !within(segment.p_offset, segment.p_filesz, size)) {
      error = truncated + "it is " + std::to_string(size) +
              " bytes long, but a segment ends at byte " +
              std::to_string(segment.p_offset + segment.p_filesz);
      return false;
    }
  if (header.e_shnum != 0 &&
      !within(header.e_shoff, uint64_t(header.e_shnum) * header.e_shentsize,
              size)) {
    error = truncated + "its section headers lie outside the file";
    return false;
  }
  return true;
}
