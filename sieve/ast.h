// The syntax tree of a Sieve script (RFC 5228 §8.2): commands with
// arguments, tests and blocks. The parser fills the generic part; the
// compiler (script.h) checks every node against the command table and files
// its tagged arguments by name.
#ifndef MAILROOM_SIEVE_AST_H_
#define MAILROOM_SIEVE_AST_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace mailroom::sieve {

struct Position {
  int line = 1;
  int column = 1;
};

struct Argument {
  enum class Kind { kStringList, kNumber, kTag };
  Kind kind = Kind::kStringList;
  Position pos;
  std::vector<std::string> strings;  // kStringList
  bool bracketed = false;            // written as "[...]"
  uint64_t number = 0;               // kNumber, quantifier applied
  std::string tag;                   // kTag, lower case, without ':'
};

// A command or a test; the grammar gives both the same shape.
struct Node {
  std::string name;  // lower case
  Position pos;
  std::vector<Argument> args;  // as written
  std::vector<Node> tests;     // a test, or the members of a test-list
  bool test_list = false;      // tests were written as "( ... )"
  std::vector<Node> block;     // commands only
  bool has_block = false;

  // Filled by the compiler.
  std::map<std::string, Argument> tags;  // tag -> its value (or the tag)
  std::vector<Argument> positional;
};

}  // namespace mailroom::sieve

#endif  // MAILROOM_SIEVE_AST_H_
