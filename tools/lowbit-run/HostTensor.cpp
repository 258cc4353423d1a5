//===- HostTensor.cpp - element counts and whole-file reads ---------------===//

#include "HostTensor.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

int64_t runner::countElements(const std::vector<int64_t> &shape) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 0 || (d > 0 && count > INT64_MAX / 8 / d))
      return -1;
    count *= d;
  }
  return count;
}

bool runner::readFile(const std::string &path, std::string &contents,
                      std::string &error) {
  std::error_code ec;
  if (std::filesystem::exists(path, ec) &&
      !std::filesystem::is_regular_file(path, ec)) {
    error = path + ": not a regular file";
    return false;
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    error = path + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream buffer;
  buffer << file.rdbuf();
  if (file.bad()) {
    error = path + ": read error";
    return false;
  }
  contents = buffer.str();
  return true;
}
