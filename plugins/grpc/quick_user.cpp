#include "quick_user.hpp"

#include <loadhost/kit/option_reader.hpp>
#include <loadhost/kit/quick_user.hpp>
#include <loadhost/loadhost.hpp>

#include "call_target.hpp"
#include "settings.hpp"

namespace loadhost::grpc_plugin {

namespace {

struct GrpcQuickUser : User {
  static constexpr const char* name = "GrpcQuickUser";

  GrpcQuickUser() {
    method_ = std::string(option("call"));
    body_ = std::string(option("data"));
    std::vector<std::pair<std::string, std::string>> metadata;
    MethodName name;
    if (method_.empty()) setup_error_ = "grpc quick mode needs the method to call: --call package.Service/Method";
    else if (!parse_method_name(method_, name, setup_error_)) setup_error_ = "--call: " + setup_error_;
    kit::OptionReader flags("grpc");
    flags.key_values("metadata", option("metadata"), metadata);
    for (auto& [k, v] : metadata) options_.headers.push_back(Header{std::move(k), std::move(v)});
    options_.discard_body = true;  // counted, not decoded: quick mode measures, it does not look
    // For client-streaming and bidi methods: the -d message, N times.
    unsigned n = 1;
    if (std::string_view n_text = option("stream-messages"); !n_text.empty())
      flags.number("stream-messages", n_text, n, 1);
    if (setup_error_.empty()) setup_error_ = flags.error();
    if (n > 1) {
      std::string many = "[";
      for (unsigned i = 0; i < n; ++i) many += (i ? "," : "") + body_;
      body_ = many + "]";
    }
    task(1, &GrpcQuickUser::call);
  }

  Task<> on_start() override {
    // A setup error (no --call, a .proto that does not parse, a bad URL)
    // would fail every call the same way: say it once per user, as a failed
    // request so the exit code tells, and stop the test.
    kit::check_quick_setup(*this, client_, setup_error_, "grpc", method_);
    co_return;
  }

  Task<> call() {
    co_await client_.call("grpc", method_, body_, options_);
  }

  Client client_{"grpc", std::string(option("quick-url"))};
  std::string method_;
  std::string body_;
  CallOptions options_;  // -M metadata; the body is discarded
  std::string setup_error_;
};

}  // namespace

const lh_user_class* quick_user_class(const lh_host* host) { return kit::quick_user_class<GrpcQuickUser>(host); }

}  // namespace loadhost::grpc_plugin
