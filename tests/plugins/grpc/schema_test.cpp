// Schemas from .proto files and from serialized descriptors (what
// reflection sends), and the JSON <-> wire conversions, on the test
// server's echo.proto.
#include "grpc/schema.hpp"

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.pb.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "grpc/call_target.hpp"
#include "support/grpc_test_server/grpc_test_server.hpp"
#include "support/temp_dir.hpp"

namespace loadhost::grpc_plugin {
namespace {

namespace fs = std::filesystem;
using test::GrpcTestServer;

MethodName name(std::string_view target) {
  MethodName m;
  std::string error;
  EXPECT_TRUE(parse_method_name(target, m, error)) << error;
  return m;
}

std::shared_ptr<const Schema> echo_schema() {
  std::string error;
  auto schema = Schema::from_proto_files({GrpcTestServer::proto_path().string()}, {}, error);
  EXPECT_TRUE(schema) << error;
  return schema;
}

void write(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

TEST(Schema, MethodsAndTheirKinds) {
  auto schema = echo_schema();
  ASSERT_TRUE(schema);
  struct Case {
    const char* method;
    bool client_streaming, server_streaming;
  };
  for (Case c : {Case{"Unary", false, false}, Case{"ServerStream", false, true}, Case{"ClientStream", true, false},
                 Case{"Bidi", true, true}}) {
    MethodInfo info;
    std::string error;
    ASSERT_TRUE(schema->find_method(name(std::string("loadhost.test.Echo/") + c.method), info, error)) << error;
    EXPECT_EQ(info.client_streaming, c.client_streaming) << c.method;
    EXPECT_EQ(info.server_streaming, c.server_streaming) << c.method;
    EXPECT_EQ(info.path, std::string("/loadhost.test.Echo/") + c.method);
  }
  MethodInfo info;
  std::string error;
  EXPECT_FALSE(schema->find_method(name("loadhost.test.Nope/Unary"), info, error));
  EXPECT_NE(error.find("no service loadhost.test.Nope in "), std::string::npos) << error;
  EXPECT_FALSE(schema->find_method(name("loadhost.test.Echo/Nope"), info, error));
  EXPECT_EQ(error, "service loadhost.test.Echo has no method Nope");
}

TEST(Schema, JsonRoundTripThroughTheWire) {
  auto schema = echo_schema();
  MethodInfo info;
  std::string error, bytes, json;
  ASSERT_TRUE(schema->find_method(name("loadhost.test.Echo/Unary"), info, error)) << error;
  ASSERT_TRUE(encode_json_message(*info.input, R"({"message":"hi","number":7})", bytes, error)) << error;
  EXPECT_EQ(bytes, std::string("\x0a\x02hi\x10\x07", 6));
  ASSERT_TRUE(decode_message_to_json(*info.input, bytes, json, error)) << error;
  EXPECT_EQ(json, R"({"message":"hi","number":7})");
  // camelCase input is accepted; output keeps the .proto's names.
  ASSERT_TRUE(encode_json_message(*info.output, R"({"metadataEcho":"m"})", bytes, error)) << error;
  ASSERT_TRUE(decode_message_to_json(*info.output, bytes, json, error)) << error;
  EXPECT_EQ(json, R"({"metadata_echo":"m"})");
  // An empty body is the empty message; well-known types print as JSON.
  ASSERT_TRUE(encode_json_message(*info.input, "", bytes, error));
  EXPECT_TRUE(bytes.empty());
  ASSERT_TRUE(encode_json_message(*info.output, R"({"served_at":"2024-01-02T03:04:05Z"})", bytes, error)) << error;
  ASSERT_TRUE(decode_message_to_json(*info.output, bytes, json, error));
  EXPECT_EQ(json, R"({"served_at":"2024-01-02T03:04:05Z"})");
}

TEST(Schema, JsonErrorsNameTheType) {
  auto schema = echo_schema();
  MethodInfo info;
  std::string error, bytes, json;
  ASSERT_TRUE(schema->find_method(name("loadhost.test.Echo/Unary"), info, error));
  EXPECT_FALSE(encode_json_message(*info.input, R"({"nope":1})", bytes, error));
  EXPECT_NE(error.find("the request is not a valid loadhost.test.EchoRequest in JSON: "), std::string::npos) << error;
  EXPECT_FALSE(encode_json_message(*info.input, R"({"number":"x"})", bytes, error));
  EXPECT_FALSE(encode_json_message(*info.input, "[1]", bytes, error));
  EXPECT_FALSE(decode_message_to_json(*info.output, "\xff\xff", json, error));
  EXPECT_EQ(error, "the response is not a valid loadhost.test.EchoReply");
}

TEST(Schema, ProtoErrorsSayWhereAndWhat) {
  test::TempDir dir;
  std::string error;
  EXPECT_FALSE(Schema::from_proto_files({(dir.path() / "missing.proto").string()}, {}, error));
  EXPECT_NE(error.find("missing.proto' not found"), std::string::npos) << error;

  write(dir.path() / "bad.proto", "syntax = \"proto3\";\nmessage M { int32 x = 1 }\n");
  EXPECT_FALSE(Schema::from_proto_files({(dir.path() / "bad.proto").string()}, {}, error));
  EXPECT_EQ(error.rfind("bad.proto:2:", 0), 0u) << error;

  write(dir.path() / "imports.proto", "syntax = \"proto3\";\nimport \"other/dep.proto\";\n");
  EXPECT_FALSE(Schema::from_proto_files({(dir.path() / "imports.proto").string()}, {}, error));
  EXPECT_NE(error.find("other/dep.proto"), std::string::npos) << error;
}

TEST(Schema, ImportsFoundThroughImportPaths) {
  test::TempDir dir;
  write(dir.path() / "inc" / "shared" / "types.proto",
        "syntax = \"proto3\";\npackage shared;\nmessage Id { string value = 1; }\n");
  write(dir.path() / "api" / "svc.proto",
        "syntax = \"proto3\";\npackage api;\nimport \"shared/types.proto\";\n"
        "service Svc { rpc Get(shared.Id) returns (shared.Id); }\n");
  std::string error;
  auto schema = Schema::from_proto_files({(dir.path() / "api" / "svc.proto").string()},
                                         {(dir.path() / "inc").string()}, error);
  ASSERT_TRUE(schema) << error;
  MethodInfo info;
  ASSERT_TRUE(schema->find_method(name("api.Svc/Get"), info, error)) << error;
  EXPECT_EQ(info.input->GetDescriptor()->full_name(), "shared.Id");
  // protoc style: a name relative to the import paths.
  ASSERT_TRUE(Schema::from_proto_files({"shared/types.proto"}, {(dir.path() / "inc").string()}, error)) << error;
}

// What the server's reflection sends: serialized FileDescriptorProtos (the
// well-known timestamp.proto may be left out: the library has it).
TEST(Schema, FromSerializedFileDescriptors) {
  google::protobuf::compiler::DiskSourceTree tree;
  tree.MapPath("", GrpcTestServer::proto_path().parent_path().string());
  tree.MapPath("", "/usr/include");
  struct Quiet : google::protobuf::compiler::MultiFileErrorCollector {
    void AddError(const std::string&, int, int, const std::string&) override {}
  } quiet;
  google::protobuf::compiler::Importer importer(&tree, &quiet);
  const google::protobuf::FileDescriptor* file = importer.Import("echo.proto");
  ASSERT_TRUE(file);
  google::protobuf::FileDescriptorProto proto;
  file->CopyTo(&proto);
  std::string error;
  auto schema = Schema::from_file_descriptors({proto.SerializeAsString()}, error);
  ASSERT_TRUE(schema) << error;
  MethodInfo info;
  ASSERT_TRUE(schema->find_method(name("loadhost.test.Echo/Bidi"), info, error)) << error;
  EXPECT_TRUE(info.client_streaming && info.server_streaming);
  EXPECT_FALSE(Schema::from_file_descriptors({"\xff garbage"}, error));
  EXPECT_NE(error.find("does not parse"), std::string::npos);
}

}  // namespace
}  // namespace loadhost::grpc_plugin
