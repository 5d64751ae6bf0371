#include "sieve/parser.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "sieve/lexer.h"

#include "sieve/text.h"

namespace mailroom::sieve {

std::string CompileError::ToString() const {
  return Cat(pos.line, ":", pos.column, ": ", message);
}

namespace {

class Parser {
 public:
  Parser(std::string_view source, int max_depth)
      : lexer_(source), max_depth_(max_depth) {
    Shift();
  }

  bool Script(std::vector<Node>* commands, CompileError* error) {
    const bool ok = Commands(commands, /*depth=*/0) &&
                    (tok_.kind == Token::Kind::kEnd || Fail(tok_.pos, Unexpected("a command")));
    if (!ok) *error = error_;
    return ok;
  }

 private:
  using K = Token::Kind;

  void Shift() { tok_ = lexer_.Next(); }

  bool Fail(Position pos, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_.pos = pos;
      error_.message = std::move(message);
    }
    return false;
  }

  std::string Unexpected(std::string_view wanted) const {
    if (tok_.kind == K::kError) return tok_.text;
    return Cat("expected ", wanted, ", found ", Describe(tok_));
  }

  static std::string Describe(const Token& t) {
    switch (t.kind) {
      case K::kEnd: return "end of script";
      case K::kError: return t.text;
      case K::kIdentifier: return Cat("'", t.text, "'");
      case K::kTag: return Cat("':", t.text, "'");
      case K::kNumber: return "a number";
      case K::kString: return "a string";
      case K::kLBracket: return "'['";
      case K::kRBracket: return "']'";
      case K::kLParen: return "'('";
      case K::kRParen: return "')'";
      case K::kLBrace: return "'{'";
      case K::kRBrace: return "'}'";
      case K::kComma: return "','";
      case K::kSemicolon: return "';'";
    }
    return "?";
  }

  bool Commands(std::vector<Node>* out, int depth) {
    while (tok_.kind == K::kIdentifier) {
      Node node;
      if (!Command(&node, depth)) return false;
      out->push_back(std::move(node));
    }
    if (tok_.kind == K::kError) return Fail(tok_.pos, tok_.text);
    return true;
  }

  bool Command(Node* node, int depth) {
    node->name = tok_.text;
    node->pos = tok_.pos;
    Shift();
    if (!Arguments(node, depth)) return false;
    if (tok_.kind == K::kSemicolon) {
      Shift();
      return true;
    }
    if (tok_.kind == K::kLBrace) {
      if (depth + 1 > max_depth_) return Fail(tok_.pos, "blocks nested too deeply");
      Shift();
      node->has_block = true;
      if (!Commands(&node->block, depth + 1)) return false;
      if (tok_.kind != K::kRBrace) return Fail(tok_.pos, Unexpected("'}' or a command"));
      Shift();
      return true;
    }
    return Fail(tok_.pos, Unexpected("';' or '{'"));
  }

  bool Arguments(Node* node, int depth) {
    for (;;) {
      Argument arg;
      arg.pos = tok_.pos;
      if (tok_.kind == K::kTag) {
        arg.kind = Argument::Kind::kTag;
        arg.tag = tok_.text;
        Shift();
      } else if (tok_.kind == K::kNumber) {
        arg.kind = Argument::Kind::kNumber;
        arg.number = tok_.number;
        Shift();
      } else if (tok_.kind == K::kString) {
        arg.strings.push_back(std::move(tok_.text));
        Shift();
      } else if (tok_.kind == K::kLBracket) {
        arg.bracketed = true;
        Shift();
        for (;;) {
          if (tok_.kind != K::kString) return Fail(tok_.pos, Unexpected("a string"));
          arg.strings.push_back(std::move(tok_.text));
          Shift();
          if (tok_.kind == K::kRBracket) break;
          if (tok_.kind != K::kComma) return Fail(tok_.pos, Unexpected("',' or ']'"));
          Shift();
        }
        Shift();
      } else {
        break;
      }
      node->args.push_back(std::move(arg));
    }
    if (tok_.kind == K::kIdentifier) {
      Node test;
      if (!Test(&test, depth + 1)) return false;
      node->tests.push_back(std::move(test));
    } else if (tok_.kind == K::kLParen) {
      if (depth + 1 > max_depth_) return Fail(tok_.pos, "tests nested too deeply");
      node->test_list = true;
      Shift();
      for (;;) {
        if (tok_.kind != K::kIdentifier) return Fail(tok_.pos, Unexpected("a test"));
        Node test;
        if (!Test(&test, depth + 1)) return false;
        node->tests.push_back(std::move(test));
        if (tok_.kind == K::kRParen) break;
        if (tok_.kind != K::kComma) return Fail(tok_.pos, Unexpected("',' or ')'"));
        Shift();
      }
      Shift();
    }
    if (tok_.kind == K::kError) return Fail(tok_.pos, tok_.text);
    return true;
  }

  bool Test(Node* node, int depth) {
    if (depth > max_depth_) return Fail(tok_.pos, "tests nested too deeply");
    node->name = tok_.text;
    node->pos = tok_.pos;
    Shift();
    return Arguments(node, depth);
  }

  Lexer lexer_;
  int max_depth_;
  Token tok_;
  bool failed_ = false;
  CompileError error_;
};

}  // namespace

bool Parse(std::string_view source, int max_depth, std::vector<Node>* commands,
           CompileError* error) {
  Parser parser(source, max_depth);
  return parser.Script(commands, error);
}

}  // namespace mailroom::sieve
