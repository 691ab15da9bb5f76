// OpResolver maps operator codes to kernels. It holds only what was added to it (as TFLite Micro's
// resolver does), so a build can carry a subset of kernels. Kernels are not owned: they are static
// objects defined in core/kernels/<op>.cc. Thread-compatible: fill it once, then read it from any
// thread.
#ifndef COMPRESSD_CORE_KERNELS_OP_RESOLVER_H_
#define COMPRESSD_CORE_KERNELS_OP_RESOLVER_H_

#include <map>
#include <string>

#include "core/ir/model.h"
#include "core/kernels/op_kernel.h"

namespace compressd::kernels {

class OpResolver {
 public:
  void AddBuiltin(ir::BuiltinOp op, const OpKernel& kernel) {
    builtins_[static_cast<int32_t>(op)] = &kernel;
  }
  void AddCustom(const std::string& name, const OpKernel& kernel) { customs_[name] = &kernel; }

  // nullptr when the resolver has no kernel for `code`.
  const OpKernel* Find(const ir::OperatorCode& code) const {
    const ir::BuiltinOp op = ir::EffectiveBuiltinCode(code);
    if (op == ir::BuiltinOp::kCustom) {
      if (!code.custom_code) return nullptr;
      auto it = customs_.find(*code.custom_code);
      return it == customs_.end() ? nullptr : it->second;
    }
    auto it = builtins_.find(static_cast<int32_t>(op));
    return it == builtins_.end() ? nullptr : it->second;
  }

 private:
  std::map<int32_t, const OpKernel*> builtins_;
  std::map<std::string, const OpKernel*> customs_;
};

// Every kernel the core ships. Defined in core/kernels/builtin_kernels.cc.
OpResolver BuiltinOpResolver();

}  // namespace compressd::kernels

#endif  // COMPRESSD_CORE_KERNELS_OP_RESOLVER_H_
