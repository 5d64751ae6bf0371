// Addresses for the address and envelope tests (RFC 5228 §2.7.4, §5.1):
// the addr-specs of an RFC 5322 address-list header, and their parts,
// including the subaddress parts of RFC 5233.
//
// Thread-safety: pure functions.
#ifndef MAILROOM_SIEVE_ADDRESS_H_
#define MAILROOM_SIEVE_ADDRESS_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mailroom::sieve {

struct Address {
  std::string all;        // local@domain as written (quotes kept)
  std::string localpart;  // unquoted
  std::string domain;
  bool has_domain = false;  // false: not a valid addr-spec
};

// The addresses of an address-list value; display names, comments, groups
// and routes are dropped; empty groups give nothing.
std::vector<Address> ParseAddressList(std::string_view value);

// One bare addr-spec (an envelope address, "<...>" allowed).
Address ParseAddrSpec(std::string_view spec);

enum class AddressPart { kAll, kLocalpart, kDomain, kUser, kDetail };

// The part of `a` a test compares; nullopt when it has no such part (an
// invalid address has no local part or domain; :detail needs a separator).
std::optional<std::string> PartOf(const Address& a, AddressPart part,
                                  std::string_view separators);

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_ADDRESS_H_
