#include "worker/report_translation.h"

#include "worker/spec_translation.h"

namespace compressd::worker {
namespace {

void ParamsToProto(const std::vector<eval::ParamCount>& in,
                   google::protobuf::RepeatedPtrField<v1::ParamCount>* out) {
  for (const eval::ParamCount& p : in) {
    v1::ParamCount* q = out->Add();
    q->set_dtype(p.dtype);
    q->set_count(p.count);
    q->set_bytes(p.bytes);
  }
}

std::vector<eval::ParamCount> ParamsFromProto(
    const google::protobuf::RepeatedPtrField<v1::ParamCount>& in) {
  std::vector<eval::ParamCount> out;
  for (const v1::ParamCount& q : in) out.push_back({q.dtype(), q.count(), q.bytes()});
  return out;
}

eval::EvaluationTarget TargetFromProto(int target) {
  auto t = TranslateTarget(target, "target");
  return t.ok() ? *t : eval::EvaluationTarget::kHost;
}

}  // namespace

v1::CompressionReport ReportToProto(const eval::CompressionReport& r) {
  v1::CompressionReport out;
  v1::SizeReport* size = out.mutable_size();
  size->set_bytes_before(r.size.bytes_before);
  size->set_bytes_after(r.size.bytes_after);
  size->set_zstd_bytes_before(r.size.zstd_bytes_before);
  size->set_zstd_bytes_after(r.size.zstd_bytes_after);
  ParamsToProto(r.params_before, out.mutable_params_before());
  ParamsToProto(r.params_after, out.mutable_params_after());
  for (const eval::OutputMetrics& o : r.outputs) {
    v1::OutputMetrics* p = out.add_outputs();
    p->set_tensor_name(o.tensor_name);
    p->set_output_index(o.output_index);
    p->set_target(TargetToProto(o.target));
    p->set_sqnr_db(o.sqnr_db);
    p->set_max_abs_error(o.max_abs_error);
    p->set_cosine_similarity(o.cosine_similarity);
    if (o.top1_agreement) p->set_top1_agreement(*o.top1_agreement);
    p->set_samples(o.samples);
  }
  for (const eval::TensorMetrics& t : r.tensors) {
    v1::TensorMetrics* p = out.add_tensors();
    p->set_tensor_name(t.tensor_name);
    p->set_subgraph(t.subgraph);
    p->set_tensor_index(t.tensor_index);
    p->set_dtype(t.dtype);
    p->set_sqnr_db_isolated(t.sqnr_db_isolated);
    p->set_sqnr_db_accumulated(t.sqnr_db_accumulated);
  }
  for (const eval::KeptFloatOp& k : r.kept_float) {
    v1::KeptFloatOp* p = out.add_kept_float();
    p->set_subgraph(k.subgraph);
    p->set_operator_index(k.operator_index);
    p->set_op_name(k.op_name);
    p->set_output_tensor(k.output_tensor);
    p->set_reason(k.reason);
  }
  if (r.calibration) {
    v1::CalibrationInfo* c = out.mutable_calibration();
    c->set_observer(r.calibration->observer);
    c->set_percentile(r.calibration->percentile);
    c->set_samples(r.calibration->samples);
    c->set_dataset_id(r.calibration->dataset_id);
    c->set_bias_correction(r.calibration->bias_correction);
    c->set_cross_layer_equalization(r.calibration->cross_layer_equalization);
  }
  for (const eval::PassReport& pr : r.passes) {
    v1::PassReport* p = out.add_passes();
    p->set_name(pr.name);
    p->set_seconds(pr.seconds);
    p->set_summary(pr.summary);
  }
  for (const std::string& w : r.warnings) out.add_warnings(w);
  out.set_compressd_version(r.compressd_version);
  return out;
}

eval::CompressionReport ReportFromProto(const v1::CompressionReport& p) {
  eval::CompressionReport r;
  r.size.bytes_before = p.size().bytes_before();
  r.size.bytes_after = p.size().bytes_after();
  r.size.zstd_bytes_before = p.size().zstd_bytes_before();
  r.size.zstd_bytes_after = p.size().zstd_bytes_after();
  r.params_before = ParamsFromProto(p.params_before());
  r.params_after = ParamsFromProto(p.params_after());
  for (const v1::OutputMetrics& o : p.outputs()) {
    eval::OutputMetrics m;
    m.tensor_name = o.tensor_name();
    m.output_index = o.output_index();
    m.target = TargetFromProto(o.target());
    m.sqnr_db = o.sqnr_db();
    m.max_abs_error = o.max_abs_error();
    m.cosine_similarity = o.cosine_similarity();
    if (o.has_top1_agreement()) m.top1_agreement = o.top1_agreement();
    m.samples = o.samples();
    r.outputs.push_back(std::move(m));
  }
  for (const v1::TensorMetrics& t : p.tensors()) {
    r.tensors.push_back({t.tensor_name(), t.subgraph(), t.tensor_index(), t.dtype(),
                         t.sqnr_db_isolated(), t.sqnr_db_accumulated()});
  }
  for (const v1::KeptFloatOp& k : p.kept_float()) {
    r.kept_float.push_back(
        {k.subgraph(), k.operator_index(), k.op_name(), k.output_tensor(), k.reason()});
  }
  if (p.has_calibration()) {
    const v1::CalibrationInfo& c = p.calibration();
    r.calibration = eval::CalibrationInfo{c.observer(),   c.percentile(),      c.samples(),
                                          c.dataset_id(), c.bias_correction(),
                                          c.cross_layer_equalization()};
  }
  for (const v1::PassReport& pr : p.passes()) {
    r.passes.push_back({pr.name(), pr.seconds(), pr.summary()});
  }
  r.warnings.assign(p.warnings().begin(), p.warnings().end());
  r.compressd_version = p.compressd_version();
  return r;
}

}  // namespace compressd::worker
