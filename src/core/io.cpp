#include "hwnas/core/io.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <random>

#include <fcntl.h>
#include <unistd.h>

#include "hwnas/core/error.hpp"

namespace hwnas {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  HWNAS_CHECK_AS(IoError, in.good(), "cannot open '{}' for reading: {}", path.string(), std::strerror(errno));
  std::string contents((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  HWNAS_CHECK_AS(IoError, !in.bad(), "error while reading '{}'", path.string());
  return contents;
}

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
  const auto parent = path.parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    HWNAS_CHECK_AS(IoError, !ec, "cannot create directory '{}': {}", parent.string(), ec.message());
  }
  // A unique sibling name: rename() is only atomic within one file system.
  const auto temp = std::filesystem::path(path.string() + fmt::format(".tmp.{}.{}", ::getpid(), std::random_device{}()));
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  HWNAS_CHECK_AS(IoError, fd >= 0, "cannot create '{}': {}", temp.string(), std::strerror(errno));
  const char* data = contents.data();
  std::size_t left = contents.size();
  bool ok = true;
  while (left > 0 && ok) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) {
      data += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  const int saved_errno = errno;
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok) {
    std::filesystem::remove(temp);
    throw IoError(fmt::format("cannot write '{}': {}", path.string(), std::strerror(saved_errno)));
  }
  if (::rename(temp.c_str(), path.c_str()) != 0) {
    const int rename_errno = errno;
    std::filesystem::remove(temp);
    throw IoError(fmt::format("cannot move '{}' into place: {}", path.string(), std::strerror(rename_errno)));
  }
}

}  // namespace hwnas
