// A load shape that returns arrival rates: 50/s for 2 s, then 100/s for 2 s,
// then the end — the open model driven by tick(), as --arrival-stages is.
#include <loadhost/loadhost.hpp>

using namespace loadhost;

struct Visitor : HttpUser {
  Visitor() { task(1, &Visitor::visit); }
  Task<> visit() { co_await client.get("/shaped"); }
};

struct TwoRates : LoadShape {
  std::optional<ShapeTick> tick(double run_time_s, uint64_t) override {
    if (run_time_s >= 4) return std::nullopt;
    ShapeTick t;
    t.arrival_rate = run_time_s < 2 ? 50 : 100;
    return t;
  }
};

LOADHOST_SCENARIO(Visitor);
LOADHOST_SHAPE(TwoRates);
