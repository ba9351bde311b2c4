// The one list of processor types: a new processor is one file plus one line here.
#include "pipeline/processors.h"

namespace sawlog::pipeline {

namespace {

constexpr const ProcessorType* kTypes[] = {
    &kParseType,  &kSetType,    &kAddType,      &kRenameType, &kCopyType,   &kRemoveType,
    &kKeepType,   &kDropType,   &kRedactType,   &kHashType,   &kSampleType, &kThrottleType,
    &kLookupType, &kGeoipType,  &kUserAgentType, &kRouteType,
};

}  // namespace

std::span<const ProcessorType* const> ProcessorTypes() { return kTypes; }

const ProcessorType* FindProcessorType(std::string_view name) {
  for (const ProcessorType* t : kTypes)
    if (t->name == name) return t;
  return nullptr;
}

}  // namespace sawlog::pipeline
