// Anything with gRPC operations in flight: a call, a reflection fetch. Each
// operation carries a Tag; the plugin's one pump thread (CompletionPump)
// hands every finished Tag to the client's loop (its LoopContext, `home`),
// which runs on_event there.
//
// Cancelling (abandon) cannot recall operations gRPC already holds: an
// abandoned client only counts them back (`pending`) and is released when
// the last one returns — on the loop, or on the pump thread once the loop has
// no session left (then nobody else can touch it).
#pragma once

#include <cstdint>

namespace loadhost::grpc_plugin {

class LoopContext;

class CqClient {
 public:
  // The `void* tag` of one kind of operation of one client.
  struct Tag {
    CqClient* client;
    uint8_t op;
  };

  explicit CqClient(LoopContext& home) : home(&home) {}
  virtual ~CqClient() = default;

  // [loop-thread] Operation `op` finished; `ok` as gRPC reported it; `at_ns`
  // when the pump thread took it off the queue (host clock). Not called once
  // abandoned. `pending` already counts it back.
  virtual void on_event(uint8_t op, bool ok, uint64_t at_ns) = 0;

  // Abandoned, with nothing pending any more: free it. `on_loop` tells
  // whether this runs on the loop thread (which may recycle it) or on the
  // pump thread (which must just delete it).
  virtual void release(bool on_loop) = 0;

  LoopContext* home;       // the loop whose thread runs on_event; fixed
  int pending = 0;         // operations started and not yet back
  bool abandoned = false;  // set on the loop; cleared only when recycled
};

}  // namespace loadhost::grpc_plugin
