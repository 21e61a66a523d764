// The host's command-line parse on a list of words, as a test writes them
// (the program name is added): what the host tests run parse() through.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hosts/loadhost/cli_options.hpp"

namespace loadhost::cli {

inline std::optional<CliOptions> parse_args(std::vector<std::string> args, int &exit_code) {
  args.insert(args.begin(), "loadhost");
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  return parse(int(args.size()), argv.data(), {}, exit_code);
}

}  // namespace loadhost::cli
