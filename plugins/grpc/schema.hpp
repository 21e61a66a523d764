// The message types of the methods a session calls, and the JSON <-> wire
// conversions of its messages.
//
// A Schema is a protobuf descriptor pool built either from .proto files read
// at run time (the --proto flag) or from the FileDescriptorProtos a server
// sends through reflection; well-known types (google/protobuf/*.proto) come
// from the protobuf library itself. Messages are dynamic (no generated code).
// A Schema is immutable once built and safe to share between threads: the
// pool and the message factory lock internally on lazy loads.
#pragma once

#include <google/protobuf/message.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace google::protobuf {
class DescriptorDatabase;
class DescriptorPool;
class DynamicMessageFactory;
class FileDescriptorProto;
namespace compiler {
class DiskSourceTree;
}
}  // namespace google::protobuf

namespace loadhost::grpc_plugin {

struct MethodName;

// One method as a call needs it. The pointers live as long as the Schema.
struct MethodInfo {
  std::string path;  // "/package.Service/Method"
  const google::protobuf::Message* input = nullptr;   // prototype of the request
  const google::protobuf::Message* output = nullptr;  // prototype of the response
  bool client_streaming = false;
  bool server_streaming = false;
};

class Schema {
 public:
  // Parses `files` (and what they import, looked up in `import_paths`, then
  // next to each file). Returns null with "greeter.proto:3:9: Expected ..."
  // or "proto file 'x.proto' not found" in `error`.
  static std::shared_ptr<const Schema> from_proto_files(const std::vector<std::string>& files,
                                                        const std::vector<std::string>& import_paths,
                                                        std::string& error);
  // From serialized FileDescriptorProtos (a reflection answer). Returns null
  // with the reason when one does not parse.
  static std::shared_ptr<const Schema> from_file_descriptors(const std::vector<std::string>& serialized,
                                                             std::string& error);
  ~Schema();

  // Resolves a method. False with a one-line reason ("no service x.Y in
  // greeter.proto") in `error`.
  bool find_method(const MethodName& name, MethodInfo& out, std::string& error) const;

 private:
  Schema();
  std::string source_;  // "greeter.proto", "the server's reflection": for errors
  std::unique_ptr<google::protobuf::compiler::DiskSourceTree> source_tree_;
  std::unique_ptr<google::protobuf::DescriptorDatabase> builtin_db_;
  std::unique_ptr<google::protobuf::DescriptorDatabase> db_;
  std::unique_ptr<google::protobuf::DescriptorPool> pool_;
  std::unique_ptr<google::protobuf::DynamicMessageFactory> factory_;
  struct Errors;
  std::unique_ptr<Errors> errors_;
};

// JSON text -> serialized message of `prototype`'s type. An empty text is
// the empty message. False with a one-line reason in `error`.
bool encode_json_message(const google::protobuf::Message& prototype, std::string_view json,
                         std::string& bytes, std::string& error);

// Serialized message -> JSON (proto field names, compact). False with a
// one-line reason in `error` when the bytes are not a message of that type.
bool decode_message_to_json(const google::protobuf::Message& prototype, std::string_view bytes,
                            std::string& json, std::string& error);

}  // namespace loadhost::grpc_plugin
