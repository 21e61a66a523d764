// A directory only this user can write, and files in it only this user
// wrote: what the scenario cache must be, because loadhost dlopen()s what it
// finds there. Another local user who could plant `<stem>-<hash>.so` in it
// would run code as whoever runs loadhost next (root, in CI). The checks are
// ssh's for ~/.ssh: owned by the effective user, writable by no one else;
// anything else is refused with one line, never repaired silently (a file
// someone else could write may already hold their code).
#pragma once

#include <string>
#include <string_view>

namespace loadhost::core {

// Creates `dir` (its parents as usual, itself 0700) when absent, then checks
// it: a directory, owned by the effective user, not writable by group or
// others. Returns "" or one line naming `what` and `dir` and what to do.
std::string prepare_private_dir(const std::string &dir, std::string_view what);

// Checks an existing file in such a directory: a regular file (not a
// symlink), owned by the effective user, not writable by group or others.
// Returns "" or one line naming `what` and `path`.
std::string check_private_file(const std::string &path, std::string_view what);

// Replaces `path` with `content`, mode 0600, through a temporary file in the
// same directory and a rename, so a concurrent reader sees the old file or
// the new one, never half of one. Returns "" or one line.
std::string write_private_file(const std::string &path, std::string_view content);

}  // namespace loadhost::core
