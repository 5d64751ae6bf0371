// The one place where the daemon and mailroomctl build StoreOptions (and,
// once wired, attach the full-text index).
#ifndef MAILROOM_SERVER_STORE_OPTIONS_H_
#define MAILROOM_SERVER_STORE_OPTIONS_H_

#include <string>

#include "store/store.h"

namespace mailroom::server {

store::StoreOptions MakeStoreOptions(const std::string& data_dir);

}  // namespace mailroom::server

#endif  // MAILROOM_SERVER_STORE_OPTIONS_H_
