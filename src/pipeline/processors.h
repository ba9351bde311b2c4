// The processor types, one per processor_<name>.cc; register_processors.cc lists them.
#pragma once

#include "pipeline/processor.h"

namespace sawlog::pipeline {

extern const ProcessorType kParseType;
extern const ProcessorType kSetType;
extern const ProcessorType kAddType;
extern const ProcessorType kRenameType;
extern const ProcessorType kCopyType;
extern const ProcessorType kRemoveType;
extern const ProcessorType kKeepType;
extern const ProcessorType kDropType;
extern const ProcessorType kRedactType;
extern const ProcessorType kHashType;
extern const ProcessorType kSampleType;
extern const ProcessorType kThrottleType;
extern const ProcessorType kLookupType;
extern const ProcessorType kGeoipType;
extern const ProcessorType kUserAgentType;
extern const ProcessorType kRouteType;

}  // namespace sawlog::pipeline
