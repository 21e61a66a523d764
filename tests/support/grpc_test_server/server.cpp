// loadhost-grpc-test-server: a real grpc++ server for the grpc plugin's
// tests and benchmark, on the callback API (no thread per call).
//
//   loadhost-grpc-test-server [--port N] [--no-reflection]
//                             [--tls-cert PEM --tls-key PEM]
//
// Binds 127.0.0.1:N (0 = a free port) and prints
// "listening on 127.0.0.1:PORT" once it serves. Runs until killed.
#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/impl/server_builder_option.h>
#include <grpcpp/impl/server_builder_plugin.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

#include "echo.grpc.pb.h"

namespace {

using loadhost::test::EchoReply;
using loadhost::test::EchoRequest;

std::string metadata_echo(const grpc::CallbackServerContext* context) {
  auto it = context->client_metadata().find("x-echo");
  return it == context->client_metadata().end() ? std::string() : std::string(it->second.data(), it->second.size());
}

// Finishes Slow calls when they are due, on one thread (a sleeping thread
// per call would pile up under a deadline test).
class Sleeper {
 public:
  Sleeper() {
    std::thread([this] { run(); }).detach();  // lives as long as the process
  }
  void finish_at(std::chrono::steady_clock::time_point when, grpc::ServerUnaryReactor* reactor) {
    std::lock_guard lock(mutex_);
    due_.emplace(when, reactor);
    wake_.notify_one();
  }

 private:
  void run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (due_.empty()) {
        wake_.wait(lock);
        continue;
      }
      auto when = due_.begin()->first;
      if (std::chrono::steady_clock::now() < when) {
        wake_.wait_until(lock, when);
        continue;
      }
      grpc::ServerUnaryReactor* reactor = due_.begin()->second;
      due_.erase(due_.begin());
      lock.unlock();
      reactor->Finish(grpc::Status::OK);
      lock.lock();
    }
  }
  std::mutex mutex_;
  std::condition_variable wake_;
  std::multimap<std::chrono::steady_clock::time_point, grpc::ServerUnaryReactor*> due_;
};

class ServerStreamReactor : public grpc::ServerWriteReactor<EchoReply> {
 public:
  explicit ServerStreamReactor(const loadhost::test::StreamRequest& request) : message_(request.message()), count_(request.count()) {
    next();
  }

 private:
  void next() {
    if (sent_ >= count_) {
      Finish(grpc::Status::OK);
      return;
    }
    reply_.set_message(message_ + " " + std::to_string(sent_));
    reply_.set_number(sent_);
    auto now = std::chrono::system_clock::now().time_since_epoch();
    reply_.mutable_served_at()->set_seconds(std::chrono::duration_cast<std::chrono::seconds>(now).count());
    ++sent_;
    StartWrite(&reply_);
  }
  void OnWriteDone(bool ok) override {
    if (ok) next();
    else Finish(grpc::Status::CANCELLED);
  }
  void OnDone() override { delete this; }

  std::string message_;
  int count_;
  int sent_ = 0;
  EchoReply reply_;
};

class ClientStreamReactor : public grpc::ServerReadReactor<EchoRequest> {
 public:
  explicit ClientStreamReactor(EchoReply* reply) : reply_(reply) { StartRead(&request_); }

 private:
  void OnReadDone(bool ok) override {
    if (!ok) {
      reply_->set_message(joined_);
      reply_->set_count(count_);
      Finish(grpc::Status::OK);
      return;
    }
    joined_ += (count_++ ? "," : "") + request_.message();
    StartRead(&request_);
  }
  void OnDone() override { delete this; }

  EchoReply* reply_;
  EchoRequest request_;
  std::string joined_;
  int count_ = 0;
};

class BidiReactor : public grpc::ServerBidiReactor<EchoRequest, EchoReply> {
 public:
  BidiReactor() { StartRead(&request_); }

 private:
  void OnReadDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status::OK);
      return;
    }
    reply_.set_message(request_.message());
    reply_.set_number(request_.number());
    reply_.set_count(++count_);
    StartWrite(&reply_);
  }
  void OnWriteDone(bool ok) override {
    if (ok) StartRead(&request_);
    else Finish(grpc::Status::CANCELLED);
  }
  void OnDone() override { delete this; }

  EchoRequest request_;
  EchoReply reply_;
  int count_ = 0;
};

class EchoService final : public loadhost::test::Echo::CallbackService {
  grpc::ServerUnaryReactor* Unary(grpc::CallbackServerContext* context, const EchoRequest* request,
                                  EchoReply* reply) override {
    reply->set_message(request->message());
    reply->set_number(request->number());
    std::string echo = metadata_echo(context);
    if (!echo.empty()) {
      reply->set_metadata_echo(echo);
      context->AddInitialMetadata("x-echo", echo);
    }
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status::OK);
    return reactor;
  }

  grpc::ServerWriteReactor<EchoReply>* ServerStream(grpc::CallbackServerContext*,
                                                    const loadhost::test::StreamRequest* request) override {
    return new ServerStreamReactor(*request);
  }

  grpc::ServerReadReactor<EchoRequest>* ClientStream(grpc::CallbackServerContext*, EchoReply* reply) override {
    return new ClientStreamReactor(reply);
  }

  grpc::ServerBidiReactor<EchoRequest, EchoReply>* Bidi(grpc::CallbackServerContext*) override {
    return new BidiReactor();
  }

  grpc::ServerUnaryReactor* Status(grpc::CallbackServerContext* context, const loadhost::test::StatusRequest* request,
                                   EchoReply*) override {
    auto* reactor = context->DefaultReactor();
    reactor->Finish(grpc::Status(grpc::StatusCode(request->code()), request->message()));
    return reactor;
  }

  grpc::ServerUnaryReactor* Slow(grpc::CallbackServerContext* context, const loadhost::test::SlowRequest* request,
                                 EchoReply* reply) override {
    reply->set_message("slow");
    auto* reactor = context->DefaultReactor();
    sleeper_.finish_at(std::chrono::steady_clock::now() + std::chrono::milliseconds(request->millis()), reactor);
    return reactor;
  }

  Sleeper& sleeper_ = *new Sleeper();  // never destroyed: its thread runs until the process ends
};

// Linking grpc++_reflection registers its plugin with every ServerBuilder
// (a static initialiser): --no-reflection takes it out again.
class WithoutReflection : public grpc::ServerBuilderOption {
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    std::erase_if(*plugins, [](const auto& p) { return p->name() == "proto_server_reflection"; });
  }
};

std::string read_file(const char* path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string port = "0";
  bool reflection = true;
  const char* cert = nullptr;
  const char* key = nullptr;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--port") && i + 1 < argc) port = argv[++i];
    else if (!std::strcmp(argv[i], "--no-reflection")) reflection = false;
    else if (!std::strcmp(argv[i], "--tls-cert") && i + 1 < argc) cert = argv[++i];
    else if (!std::strcmp(argv[i], "--tls-key") && i + 1 < argc) key = argv[++i];
    else {
      std::fprintf(stderr, "usage: %s [--port N] [--no-reflection] [--tls-cert PEM --tls-key PEM]\n", argv[0]);
      return 2;
    }
  }
  if (reflection) grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  std::shared_ptr<grpc::ServerCredentials> credentials = grpc::InsecureServerCredentials();
  if (cert && key) {
    grpc::SslServerCredentialsOptions options;
    options.pem_key_cert_pairs.push_back({read_file(key), read_file(cert)});
    credentials = grpc::SslServerCredentials(options);
  }
  EchoService service;
  grpc::ServerBuilder builder;
  if (!reflection) builder.SetOption(std::make_unique<WithoutReflection>());
  int bound = 0;
  builder.AddListeningPort("127.0.0.1:" + port, credentials, &bound);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (!server || bound == 0) {
    std::fprintf(stderr, "cannot listen on 127.0.0.1:%s\n", port.c_str());
    return 1;
  }
  std::printf("listening on 127.0.0.1:%d\n", bound);
  std::fflush(stdout);
  server->Wait();
  return 0;
}
