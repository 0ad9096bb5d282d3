// Temporary files of the shim's tests.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace dt_test {

// `name` in gtest's temporary folder, made this process's own: the test binaries of two suites that
// run at once on one machine (two checkouts, each running the test command) share /tmp, and with a
// fixed name one would read or delete the other's recording.
inline std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "dt_" + std::to_string(getpid()) + "_" + name;
}

}  // namespace dt_test
