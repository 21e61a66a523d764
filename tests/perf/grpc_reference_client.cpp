// The reference for tests/perf/grpc_vs_reference.sh: the least a grpc++
// client can do to keep N unary calls in flight — the generic async API
// (pre-serialized request, response bytes not decoded), a completion queue
// per thread, no stats beyond a count. loadhost's quick mode does the same
// calls with users, stats and JSON on top; the script compares the two.
//
//   grpc_reference_client --target 127.0.0.1:PORT [--method /pkg.Svc/M]
//       [--message TEXT] [--concurrency 50] [--channels 50] [--threads 2]
//       [--duration 10]
//
// The request is EchoRequest{message: TEXT} of the test server's echo.proto,
// serialized by hand. Prints "calls N seconds S calls/s R".
//
// Like loadhost's plugin it turns off abseil's lock-order (deadlock)
// detection, which Debian's abseil build leaves on and which costs every
// lock gRPC takes a graph update: both sides then measure gRPC, not a
// debugging aid.
#include <absl/synchronization/mutex.h>
#include <grpc/grpc.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/generic/generic_stub.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Slot {
  std::unique_ptr<grpc::ClientContext> context;
  std::unique_ptr<grpc::GenericClientAsyncResponseReader> reader;
  grpc::ByteBuffer response;
  grpc::Status status;
  grpc::GenericStub* stub;
};

}  // namespace

int main(int argc, char** argv) {
  std::string target, method = "/loadhost.test.Echo/Unary", message = "x";
  int concurrency = 50, channels = 50, threads = 2;
  double duration = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--target") target = value;
    else if (flag == "--method") method = value;
    else if (flag == "--message") message = value;
    else if (flag == "--concurrency") concurrency = std::atoi(value);
    else if (flag == "--channels") channels = std::atoi(value);
    else if (flag == "--threads") threads = std::atoi(value);
    else if (flag == "--duration") duration = std::atof(value);
    else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (target.empty() || message.size() > 127 || concurrency < 1 || channels < 1 || threads < 1) {
    std::fprintf(stderr, "usage: %s --target HOST:PORT [--concurrency N] [--channels N] [--threads N] [--duration S]\n",
                 argv[0]);
    return 2;
  }
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  // EchoRequest{message}: field 1, length-delimited.
  std::string request_bytes = std::string("\x0a", 1) + char(message.size()) + message;
  grpc::Slice slice(request_bytes);
  const grpc::ByteBuffer request(&slice, 1);

  // The channel arguments loadhost uses: a connection per channel (as its
  // per-user channels), no transparent retries.
  std::vector<std::unique_ptr<grpc::GenericStub>> stubs;
  for (int i = 0; i < channels; ++i) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt(GRPC_ARG_ENABLE_RETRIES, 0);
    stubs.push_back(std::make_unique<grpc::GenericStub>(
        grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args)));
  }

  std::atomic<bool> stop{false};
  std::atomic<uint64_t> total{0}, failed{0};
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      grpc::CompletionQueue cq;
      std::vector<Slot> slots;
      for (int i = t; i < concurrency; i += threads) slots.push_back(Slot{{}, {}, {}, {}, stubs[i % channels].get()});
      auto launch = [&](Slot& s) {
        s.reader.reset();
        s.context = std::make_unique<grpc::ClientContext>();
        s.reader = s.stub->PrepareUnaryCall(s.context.get(), method, request, &cq);
        s.reader->StartCall();
        s.reader->Finish(&s.response, &s.status, &s);
      };
      for (Slot& s : slots) launch(s);
      uint64_t calls = 0, errors = 0;
      size_t in_flight = slots.size();
      void* tag;
      bool ok;
      while (in_flight > 0 && cq.Next(&tag, &ok)) {
        Slot& s = *static_cast<Slot*>(tag);
        ++calls;
        if (!s.status.ok()) ++errors;
        if (stop.load(std::memory_order_relaxed)) --in_flight;
        else launch(s);
      }
      total += calls;
      failed += errors;
      for (Slot& s : slots) s.reader.reset();
      cq.Shutdown();
      while (cq.Next(&tag, &ok)) {
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(duration));
  stop = true;
  for (auto& w : workers) w.join();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("calls %llu failed %llu seconds %.3f calls/s %.0f\n", (unsigned long long)total.load(),
              (unsigned long long)failed.load(), seconds, double(total.load()) / seconds);
  return failed.load() == 0 ? 0 : 1;
}
