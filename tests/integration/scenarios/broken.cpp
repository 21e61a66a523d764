// Does not compile, on purpose: loadhost must show the compiler's error.
#include <loadhost/loadhost.hpp>

struct Broken : loadhost::User {
  Broken() { task(1, &Broken::missing_method); }
};

LOADHOST_SCENARIO(Broken);
