// The wire form of change events sent between nodes that share one store
// (engine::Engine::Broadcast): the sending node's id, then the events.
//
// Thread-safety: free functions on plain values.
#ifndef MAILROOM_STORE_INTERNAL_CHANGE_CODEC_H_
#define MAILROOM_STORE_INTERNAL_CHANGE_CODEC_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/types.h"

namespace mailroom::store::internal {

// The channel every node of an installation listens on.
inline constexpr std::string_view kChangesChannel = "changes";

std::string EncodeChanges(uint64_t node, const std::vector<ChangeEvent>& events);
// False on bytes it does not understand (a newer node's format).
bool DecodeChanges(std::string_view in, uint64_t* node,
                   std::vector<ChangeEvent>* events);

}  // namespace mailroom::store::internal

#endif  // MAILROOM_STORE_INTERNAL_CHANGE_CODEC_H_
