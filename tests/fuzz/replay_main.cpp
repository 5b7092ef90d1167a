// Copyright (c) 2026 planeval developers. Distributed under the MIT License.
// A main() for the fuzz harnesses without libFuzzer: runs LLVMFuzzerTestOneInput on every file
// named on the command line, or found (recursively, in sorted order) in a directory named there.
// ctest runs each harness this way over its seed corpus and its regression inputs
// (tests/fuzz/corpus/<name>, tests/fuzz/regressions/<name>), so every finding stays fixed in the
// ordinary (ASan + UBSan) test job. Files whose names start with '.' or end in ".md" are skipped.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace fs = std::filesystem;

namespace {

bool wanted(const fs::path& p) {
  const std::string name = p.filename().string();
  return !name.empty() && name[0] != '.' && p.extension() != ".md";
}

} // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path arg(argv[i]);
    std::error_code ec;
    if (fs::is_directory(arg, ec)) {
      std::vector<fs::path> found;
      for (const auto& e : fs::recursive_directory_iterator(arg))
        if (e.is_regular_file() && wanted(e.path())) found.push_back(e.path());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else if (fs::is_regular_file(arg, ec)) {
      files.push_back(arg);
    } else {
      std::fprintf(stderr, "replay: %s: no such file or directory (skipped)\n", argv[i]);
    }
  }
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "replay: %s: cannot read\n", f.string().c_str());
      return 1;
    }
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", f.string().c_str(), bytes.size());
    std::fflush(stderr);
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replayed %zu input%s\n", files.size(), files.size() == 1 ? "" : "s");
  return 0;
}
