// MasterKey: the key file of --master-key, which lets only the workers that
// hold it join a master (ZeroMQ CURVE: traffic encrypted, and a worker must
// know the master's public key, derived from this secret, to connect).
//
// The file holds one Z85 CURVE secret key (40 characters). A master creates
// it when it does not exist (mode 0600); a worker needs a copy. Like ssh with
// its keys, both refuse a file that is not a regular file owned by the
// current user, or that others can read or write.
#pragma once

#include <string>

namespace loadhost::distributed {

struct MasterKey {
  std::string secret_z85;  // the master's secret key
  std::string public_z85;  // its public key: what workers connect with
};

// Reads `path` (creating it when `create` and it does not exist). Returns
// "" or one line saying what is wrong with the file.
std::string load_master_key(const std::string &path, bool create, MasterKey &key);

}  // namespace loadhost::distributed
