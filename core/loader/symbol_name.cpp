#include "core/loader/symbol_name.hpp"

#include <cxxabi.h>
#include <dlfcn.h>
#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace loadhost::core {

namespace {

std::string demangle(const char *mangled) {
  int status = 0;
  char *name = abi::__cxa_demangle(mangled, nullptr, nullptr, &status);
  std::string out = status == 0 && name ? name : mangled;
  std::free(name);
  return out;
}

// A read-only mapping of a whole file, unmapped when done.
class MappedFile {
 public:
  explicit MappedFile(const char *path) {
    int fd = ::open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      void *p = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
      if (p != MAP_FAILED) {
        data_ = static_cast<const unsigned char *>(p);
        size_ = size_t(st.st_size);
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    if (data_) ::munmap(const_cast<unsigned char *>(data_), size_);
  }
  MappedFile(const MappedFile &) = delete;
  MappedFile &operator=(const MappedFile &) = delete;
  // The bytes [offset, offset + n), or null when the file is shorter.
  const unsigned char *at(uint64_t offset, uint64_t n) const {
    return data_ && offset <= size_ && n <= size_ - offset ? data_ + offset : nullptr;
  }

 private:
  const unsigned char *data_ = nullptr;
  size_t size_ = 0;
};

// The name of the STT_FUNC symbol at link-time address `value` in the
// file's .symtab, or "".
std::string symtab_name(const char *path, uint64_t value) {
  MappedFile file(path);
  const auto *eh = reinterpret_cast<const Elf64_Ehdr *>(file.at(0, sizeof(Elf64_Ehdr)));
  if (!eh || std::memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0 || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
      eh->e_shentsize != sizeof(Elf64_Shdr))
    return "";
  const auto *sections =
      reinterpret_cast<const Elf64_Shdr *>(file.at(eh->e_shoff, uint64_t(eh->e_shnum) * sizeof(Elf64_Shdr)));
  if (!sections) return "";
  for (uint16_t i = 0; i < eh->e_shnum; ++i) {
    const Elf64_Shdr &symtab = sections[i];
    if (symtab.sh_type != SHT_SYMTAB || symtab.sh_link >= eh->e_shnum) continue;
    const Elf64_Shdr &strtab = sections[symtab.sh_link];
    const auto *syms = reinterpret_cast<const Elf64_Sym *>(file.at(symtab.sh_offset, symtab.sh_size));
    const auto *names = reinterpret_cast<const char *>(file.at(strtab.sh_offset, strtab.sh_size));
    if (!syms || !names) return "";
    for (uint64_t k = 0; k < symtab.sh_size / sizeof(Elf64_Sym); ++k) {
      const Elf64_Sym &s = syms[k];
      if (ELF64_ST_TYPE(s.st_info) != STT_FUNC || s.st_value != value || s.st_name >= strtab.sh_size) continue;
      const char *name = names + s.st_name;
      if (::memchr(name, '\0', strtab.sh_size - s.st_name)) return name;
    }
  }
  return "";
}

}  // namespace

std::string function_symbol(const void *address) {
  if (!address) return "";
  Dl_info info{};
  link_map *map = nullptr;
  if (!::dladdr1(address, &info, reinterpret_cast<void **>(&map), RTLD_DL_LINKMAP) || !map) return "";
  if (info.dli_sname && info.dli_saddr == address) return demangle(info.dli_sname);
  const char *path = map->l_name && *map->l_name ? map->l_name : "/proc/self/exe";
  std::string name = symtab_name(path, uint64_t(reinterpret_cast<uintptr_t>(address) - map->l_addr));
  return name.empty() ? "" : demangle(name.c_str());
}

std::string unqualified_function_name(const std::string &demangled) {
  std::string s = demangled;
  for (std::string anon = "(anonymous namespace)::"; s.find(anon) != std::string::npos;)
    s.erase(s.find(anon), anon.size());
  // The parameters start at the first '(' outside template arguments.
  int depth = 0;
  size_t end = s.size();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<') ++depth;
    else if (s[i] == '>') --depth;
    else if (s[i] == '(' && depth == 0) {
      end = i;
      break;
    }
  }
  s.resize(end);
  size_t colon = s.rfind("::");
  return colon == std::string::npos ? s : s.substr(colon + 2);
}

}  // namespace loadhost::core
