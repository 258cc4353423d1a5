//===- SharedObjectFile.h - is a file whole enough to dlopen? ---*- C++ -*-===//

#ifndef LOWBIT_TOOLS_LOWBIT_RUN_SHAREDOBJECTFILE_H
#define LOWBIT_TOOLS_LOWBIT_RUN_SHAREDOBJECTFILE_H

#include <string>

namespace runner {

/// Checks that `path` is a 64-bit ELF shared object whose segments and
/// section headers all lie inside the file. dlopen maps a truncated library
/// without complaint and the process then dies of SIGBUS touching the
/// missing pages, so this runs first. False with `error` set otherwise.
bool checkSharedObjectFile(const std::string &path, std::string &error);

} // namespace runner

#endif // LOWBIT_TOOLS_LOWBIT_RUN_SHAREDOBJECTFILE_H
