// Counts heap allocations (global operator new) made while an
// AllocationCounter is alive: the check behind "no per-request allocation in
// the steady state". The replacement operator new lives in alloc_counter.cpp,
// a TU of its own so the compiler never inlines it into a mismatched delete.
#pragma once

#include <cstddef>

namespace loadhost::http1 {

class AllocationCounter {
 public:
  AllocationCounter();
  ~AllocationCounter();
  size_t count() const;  // allocations since construction
};

}  // namespace loadhost::http1
