// The folder a vendor API keeps its flow files in (CTP's *.con), made before the API object is created.
//
// CTP treats the flow path as a file-name prefix and crashes (SIGSEGV) when its folder is missing, so the
// folder is created first and the prefix ends in '/'. Folders created here are owner-only (0700): flow
// files record the session's requests and replies.
#pragma once

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "vtcore/sdk/library.hpp"

namespace vtcore::sdk {

/// Creates `folder` and any missing parents (each new one 0700); returns it with a trailing '/'.
/// Throws LibraryError naming the folder when it cannot be made.
inline std::string prepare_flow_folder(const std::string& folder) {
  if (folder.empty()) return folder;
  std::string path;
  std::size_t start = 0;
  while (start <= folder.size()) {
    const std::size_t slash = folder.find('/', start);
    const std::size_t end = slash == std::string::npos ? folder.size() : slash;
    path = folder.substr(0, end);
    if (!path.empty() && ::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) {
      throw LibraryError("cannot create the flow folder " + path + ": " + std::strerror(errno));
    }
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  struct stat info {};
  if (::stat(folder.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
    throw LibraryError("the flow folder " + folder + " is not a directory");
  }
  return folder.back() == '/' ? folder : folder + "/";
}

}  // namespace vtcore::sdk
