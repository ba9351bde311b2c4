// A stand-in for libFuzzer's driver in builds without it (g++, the ASan+UBSan build): runs
// LLVMFuzzerTestOneInput on every file named on the command line, or on every file inside a named
// directory, so the saved corpora replay as ordinary tests. Prints how many inputs ran; fails when
// a file cannot be read or nothing ran. A crash or a failed invariant aborts, failing the test.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool RunFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return false;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // A heap copy of exactly the input's size (never null, as under libFuzzer), so ASan sees a read
  // past its end.
  const size_t size = bytes.size();
  std::unique_ptr<uint8_t[]> data(new uint8_t[size ? size : 1]);
  std::memcpy(data.get(), bytes.data(), size);
  std::fprintf(stderr, "running %s (%zu bytes)\n", path.c_str(), size);
  LLVMFuzzerTestOneInput(data.get(), size);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
    return 2;
  }
  size_t ran = 0;
  bool failed = false;
  for (int i = 1; i < argc; ++i) {
    std::filesystem::path arg(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      std::vector<std::filesystem::path> files;
      for (const auto& entry : std::filesystem::directory_iterator(arg))
        if (entry.is_regular_file()) files.push_back(entry.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) {
        if (RunFile(f)) ++ran;
        else failed = true;
      }
    } else if (RunFile(arg)) {
      ++ran;
    } else {
      failed = true;
    }
  }
  std::printf("%zu inputs ran\n", ran);
  if (ran == 0) std::fprintf(stderr, "no inputs: is the corpus missing?\n");
  return failed || ran == 0 ? 1 : 0;
}
