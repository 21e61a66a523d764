#include "schema.hpp"

#include <google/protobuf/compiler/importer.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/descriptor.pb.h>
#include <google/protobuf/descriptor_database.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/util/json_util.h>

#include <filesystem>
#include <mutex>

#include "call_target.hpp"

namespace loadhost::grpc_plugin {

namespace pb = google::protobuf;
namespace fs = std::filesystem;

// Keeps the first error of parsing (.proto syntax) and of building (unknown
// types, clashes): the one that explains the rest.
struct Schema::Errors : pb::compiler::MultiFileErrorCollector, pb::DescriptorPool::ErrorCollector {
  void AddError(const std::string& filename, int line, int column, const std::string& message) override {
    std::string where = filename;
    if (line >= 0) where += ":" + std::to_string(line + 1) + ":" + std::to_string(column + 1);
    keep(where + ": " + message);
  }
  void AddError(const std::string& filename, const std::string& element_name, const pb::Message*,
                ErrorLocation, const std::string& message) override {
    keep(filename + ": " + element_name + ": " + message);
  }
  void keep(std::string text) {
    std::lock_guard lock(mutex);
    if (first.empty()) first = std::move(text);
  }
  std::string take() {
    std::lock_guard lock(mutex);
    return std::exchange(first, {});
  }
  std::mutex mutex;
  std::string first;
};

Schema::Schema() : errors_(std::make_unique<Errors>()) {}
Schema::~Schema() = default;

namespace {

// Whether `file` lies under `dir` (both made absolute and normal); sets the
// path relative to `dir`, with '/' separators, as protoc would import it.
bool relative_to(const fs::path& file, const fs::path& dir, std::string& virtual_name) {
  std::error_code ec;
  fs::path f = fs::weakly_canonical(file, ec);
  fs::path d = fs::weakly_canonical(dir, ec);
  if (ec) return false;
  fs::path rel = f.lexically_relative(d);
  if (rel.empty() || *rel.begin() == "..") return false;
  virtual_name = rel.generic_string();
  return true;
}

// The reflected files, then the library's own well-known types. (A merged
// database only points at its parts: this one owns the first.)
struct ReflectedDatabase : pb::MergedDescriptorDatabase {
  ReflectedDatabase(std::unique_ptr<pb::SimpleDescriptorDatabase> files, pb::DescriptorDatabase* builtin)
      : pb::MergedDescriptorDatabase(files.get(), builtin), files_(std::move(files)) {}
  std::unique_ptr<pb::SimpleDescriptorDatabase> files_;
};

}  // namespace

std::shared_ptr<const Schema> Schema::from_proto_files(const std::vector<std::string>& files,
                                                       const std::vector<std::string>& import_paths,
                                                       std::string& error) {
  std::shared_ptr<Schema> s(new Schema());
  s->source_tree_ = std::make_unique<pb::compiler::DiskSourceTree>();
  for (const auto& dir : import_paths) s->source_tree_->MapPath("", dir);

  // The virtual name each file is imported by: relative to an import path
  // that holds it, else its own name with its directory mapped (after the
  // import paths, so they win for the files it imports).
  std::vector<std::string> virtual_names;
  for (const auto& file : files) {
    std::error_code ec;
    std::string name;
    if (fs::is_regular_file(file, ec)) {
      bool found = false;
      for (const auto& dir : import_paths)
        if ((found = relative_to(file, dir, name))) break;
      if (!found) {
        fs::path p(file);
        s->source_tree_->MapPath("", p.has_parent_path() ? p.parent_path().string() : ".");
        name = p.filename().string();
      }
    } else if (!import_paths.empty() && fs::path(file).is_relative()) {
      name = file;  // protoc style: a name looked up in the import paths
    } else {
      error = "proto file '" + file + "' not found";
      return nullptr;
    }
    virtual_names.push_back(name);
  }

  s->builtin_db_ = std::make_unique<pb::DescriptorPoolDatabase>(*pb::DescriptorPool::generated_pool());
  auto files_db = std::make_unique<pb::compiler::SourceTreeDescriptorDatabase>(s->source_tree_.get(),
                                                                               s->builtin_db_.get());
  files_db->RecordErrorsTo(s->errors_.get());
  s->pool_ = std::make_unique<pb::DescriptorPool>(files_db.get(), files_db->GetValidationErrorCollector());
  s->db_ = std::move(files_db);
  for (size_t i = 0; i < files.size(); ++i) {
    if (!s->pool_->FindFileByName(virtual_names[i])) {
      error = s->errors_->take();
      if (error.empty()) error = "cannot load proto file '" + files[i] + "'";
      return nullptr;
    }
  }
  s->source_ = files.size() == 1 ? files.front() : "the proto files";
  s->factory_ = std::make_unique<pb::DynamicMessageFactory>(s->pool_.get());
  return s;
}

std::shared_ptr<const Schema> Schema::from_file_descriptors(const std::vector<std::string>& serialized,
                                                            std::string& error) {
  std::shared_ptr<Schema> s(new Schema());
  auto reflected = std::make_unique<pb::SimpleDescriptorDatabase>();
  for (const auto& bytes : serialized) {
    pb::FileDescriptorProto file;
    if (!file.ParseFromString(bytes)) {
      error = "the server's reflection sent a file descriptor that does not parse";
      return nullptr;
    }
    reflected->Add(file);  // false for a file sent twice: keep the first
  }
  s->builtin_db_ = std::make_unique<pb::DescriptorPoolDatabase>(*pb::DescriptorPool::generated_pool());
  s->db_ = std::make_unique<ReflectedDatabase>(std::move(reflected), s->builtin_db_.get());
  s->pool_ = std::make_unique<pb::DescriptorPool>(s->db_.get(), s->errors_.get());
  s->source_ = "the server's reflection";
  s->factory_ = std::make_unique<pb::DynamicMessageFactory>(s->pool_.get());
  return s;
}

bool Schema::find_method(const MethodName& name, MethodInfo& out, std::string& error) const {
  const pb::ServiceDescriptor* service = pool_->FindServiceByName(name.service);
  if (!service) {
    std::string why = errors_->take();
    error = "no service " + name.service + " in " + source_ + (why.empty() ? "" : " (" + why + ")");
    return false;
  }
  const pb::MethodDescriptor* method = service->FindMethodByName(name.method);
  if (!method) {
    error = "service " + name.service + " has no method " + name.method;
    return false;
  }
  out.path = name.path;
  out.input = factory_->GetPrototype(method->input_type());
  out.output = factory_->GetPrototype(method->output_type());
  out.client_streaming = method->client_streaming();
  out.server_streaming = method->server_streaming();
  return true;
}

namespace {

std::string status_text(const pb::util::Status& status) {
  auto m = status.message();
  return std::string(m.data(), m.size());
}

}  // namespace

bool encode_json_message(const pb::Message& prototype, std::string_view json, std::string& bytes,
                         std::string& error) {
  std::unique_ptr<pb::Message> message(prototype.New());
  if (json.find_first_not_of(" \t\r\n") != std::string_view::npos) {
    pb::util::Status status =
        pb::util::JsonStringToMessage(pb::StringPiece(json.data(), json.size()), message.get());
    if (!status.ok()) {
      error = "the request is not a valid " + prototype.GetDescriptor()->full_name() + " in JSON: " +
              status_text(status);
      return false;
    }
  }
  bytes.clear();
  if (!message->SerializeToString(&bytes)) {
    error = "cannot serialize the request " + prototype.GetDescriptor()->full_name();
    return false;
  }
  return true;
}

bool decode_message_to_json(const pb::Message& prototype, std::string_view bytes, std::string& json,
                            std::string& error) {
  std::unique_ptr<pb::Message> message(prototype.New());
  if (!message->ParseFromArray(bytes.data(), int(bytes.size()))) {
    error = "the response is not a valid " + prototype.GetDescriptor()->full_name();
    return false;
  }
  pb::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  json.clear();
  pb::util::Status status = pb::util::MessageToJsonString(*message, &json, options);
  if (!status.ok()) {
    error = "cannot print the response as JSON: " + status_text(status);
    return false;
  }
  return true;
}

}  // namespace loadhost::grpc_plugin
