//===- Linker.cpp - a model object plus the runtime into a shared library -===//
//
// No linker is available as a library here, so the system compiler driver
// links: it knows where the C library and the startup files of shared
// objects live.
//
//===----------------------------------------------------------------------===//

#include "lowbit/Target/CPU/ObjectEmitter.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Program.h"

bool lowbit::cpu::linkModelLibrary(llvm::StringRef objectPath,
                                   llvm::StringRef runtimeArchive,
                                   llvm::StringRef outputPath,
                                   llvm::StringRef driver, std::string &error,
                                   llvm::ArrayRef<std::string> extraArchives) {
  if (!llvm::sys::fs::exists(runtimeArchive)) {
    error = "the runtime archive " + runtimeArchive.str() +
            " does not exist (give it with --runtime-lib)";
    return false;
  }
  for (const std::string &archive : extraArchives)
    if (!llvm::sys::fs::exists(archive)) {
      error = "the runtime archive " + archive + " does not exist";
      return false;
    }
  std::string program = driver.str();
  if (driver.empty() || !driver.contains('/')) {
    llvm::StringRef name = driver.empty() ? "cc" : driver;
    auto found = llvm::sys::findProgramByName(name);
    if (!found) {
      error = "no C compiler driver '" + name.str() +
              "' on PATH to link the model library";
      return false;
    }
    program = *found;
  }
  llvm::SmallVector<llvm::StringRef> args = {
      program,        "-shared",
      "-o",           outputPath,
      objectPath,     "-Wl,--whole-archive",
      runtimeArchive};
  for (const std::string &archive : extraArchives)
    args.push_back(archive);
  args.append({"-Wl,--no-whole-archive", "-lm", "-Wl,-z,noexecstack"});
  if (!extraArchives.empty())
    args.append({"-ldl", "-lpthread"});
  std::string message;
  int status = llvm::sys::ExecuteAndWait(program, args, std::nullopt, {},
                                         /*SecondsToWait=*/0,
                                         /*MemoryLimit=*/0, &message);
  if (status != 0) {
    error = "linking " + outputPath.str() + " failed" +
            (message.empty() ? std::string(" (") + program + " exited with " +
                                   std::to_string(status) + ")"
                             : ": " + message);
    return false;
  }
  return true;
}
