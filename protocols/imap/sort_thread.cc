// RFC 5256 sections 2 (sort values, ORDEREDSUBJECT) and 3 (REFERENCES), and
// RFC 5957 (DISPLAYFROM, DISPLAYTO).
#include "protocols/imap/sort_thread.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "absl/strings/str_cat.h"

namespace mailroom::imap {
namespace {

char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? c - 'a' + 'A' : c; }

std::string FoldAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiUpper(c);
  return out;
}

int CompareNumbers(auto a, auto b) { return a < b ? -1 : (a > b ? 1 : 0); }

int CompareBy(const SortValues& a, const SortValues& b, SortKey key) {
  switch (key) {
    case SortKey::kArrival: return CompareNumbers(a.arrival, b.arrival);
    case SortKey::kDate: return CompareNumbers(a.sent_date, b.sent_date);
    case SortKey::kSize: return CompareNumbers(a.size, b.size);
    case SortKey::kCc: return CompareAsciiCasemap(a.cc, b.cc);
    case SortKey::kFrom: return CompareAsciiCasemap(a.from, b.from);
    case SortKey::kTo: return CompareAsciiCasemap(a.to, b.to);
    case SortKey::kSubject:
      return CompareAsciiCasemap(a.base_subject, b.base_subject);
    case SortKey::kDisplayFrom:
      return CompareAsciiCasemap(a.display_from, b.display_from);
    case SortKey::kDisplayTo:
      return CompareAsciiCasemap(a.display_to, b.display_to);
  }
  return 0;
}

// Replies nested deeper than this start a thread of their own, which bounds
// the recursion below for pathological References chains.
constexpr int kMaxThreadDepth = 1000;

// A thread tree under construction: `msg` indexes the input, -1 is a dummy.
struct Tree {
  int msg = -1;
  std::vector<Tree> kids;
};

class Threader {
 public:
  explicit Threader(const std::vector<ThreadInput>& m) : m_(m) {}

  // (sent date, id) of a tree; a dummy takes its (sorted) first child's.
  std::pair<int64_t, uint32_t> DateKey(const Tree& t) const {
    if (t.msg >= 0) return {m_[t.msg].sent_date, m_[t.msg].id};
    if (t.kids.empty()) return {0, 0};
    return DateKey(t.kids.front());
  }

  const std::string& Subject(const Tree& t) const {
    static const std::string kEmpty;
    if (t.msg >= 0) return m_[t.msg].base_subject;
    return t.kids.empty() ? kEmpty : Subject(t.kids.front());
  }

  bool IsReply(const Tree& t) const {
    return t.msg >= 0 && m_[t.msg].is_reply_or_forward;
  }

  void SortSiblings(std::vector<Tree>& list) const {
    std::stable_sort(list.begin(), list.end(),
                     [&](const Tree& a, const Tree& b) {
                       return DateKey(a) < DateKey(b);
                     });
  }

  // Sorts the children at every level below `list` (not `list` itself).
  void SortBelow(std::vector<Tree>& list) const {
    for (Tree& t : list) {
      SortBelow(t.kids);
      SortSiblings(t.kids);
    }
  }

  ThreadNode ToNode(Tree& t) const {
    ThreadNode node;
    node.id = t.msg >= 0 ? m_[t.msg].id : 0;
    for (Tree& k : t.kids) node.children.push_back(ToNode(k));
    return node;
  }

 private:
  const std::vector<ThreadInput>& m_;
};

// Step 3 of REFERENCES: drops empty dummies and splices the children of the
// others into their parent's list, except that at the root a dummy with
// several children stays (it holds a thread together).
std::vector<Tree> Prune(std::vector<Tree> list, bool at_root) {
  std::vector<Tree> out;
  for (Tree& t : list) {
    t.kids = Prune(std::move(t.kids), false);
    if (t.msg >= 0) {
      out.push_back(std::move(t));
    } else if (t.kids.empty()) {
      continue;
    } else if (!at_root || t.kids.size() == 1) {
      for (Tree& k : t.kids) out.push_back(std::move(k));
    } else {
      out.push_back(std::move(t));
    }
  }
  return out;
}

// The id table and parent links of REFERENCES step 1.
class ContainerTable {
 public:
  struct Container {
    int msg = -1;
    int parent = -1;
    std::vector<int> kids;
  };

  int Lookup(const std::string& message_id) {
    auto [it, inserted] = by_id_.emplace(message_id, 0);
    if (inserted) it->second = New();
    return it->second;
  }
  int New() {
    c_.emplace_back();
    return static_cast<int>(c_.size()) - 1;
  }
  Container& at(int i) { return c_[i]; }
  size_t size() const { return c_.size(); }

  void Unlink(int child) {
    const int p = c_[child].parent;
    if (p < 0) return;
    auto& kids = c_[p].kids;
    kids.erase(std::find(kids.begin(), kids.end(), child));
    c_[child].parent = -1;
  }
  // Links unless that would make a loop or a thread deeper than
  // kMaxThreadDepth (the later steps recurse along the depth).
  void Link(int parent, int child) {
    int depth = 0;
    for (int n = parent; n >= 0; n = c_[n].parent) {
      if (n == child || ++depth >= kMaxThreadDepth) return;
    }
    c_[child].parent = parent;
    c_[parent].kids.push_back(child);
  }
  Tree ToTree(int i) const {
    Tree t;
    t.msg = c_[i].msg;
    for (int k : c_[i].kids) t.kids.push_back(ToTree(k));
    return t;
  }

 private:
  std::vector<Container> c_;
  std::unordered_map<std::string, int> by_id_;
};

void AppendThreadBody(const ThreadNode& n, std::string* out) {
  bool wrote = false;
  if (n.id != 0) {
    absl::StrAppend(out, n.id);
    wrote = true;
  }
  if (n.children.size() == 1) {
    if (wrote) out->push_back(' ');
    AppendThreadBody(n.children.front(), out);
  } else if (n.children.size() > 1) {
    if (wrote) out->push_back(' ');
    for (const ThreadNode& k : n.children) {
      out->push_back('(');
      AppendThreadBody(k, out);
      out->push_back(')');
    }
  }
}

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

size_t SkipWsp(std::string_view s, size_t i) {
  while (i < s.size() && IsWsp(s[i])) ++i;
  return i;
}

// Skips a "[...]" blob and the white space after it.
size_t SkipBlob(std::string_view s, size_t i) {
  if (i >= s.size() || s[i] != '[') return i;
  const size_t close = s.find(']', i);
  if (close == std::string_view::npos) return i;
  if (s.substr(i + 1, close - i - 1).find('[') != std::string_view::npos) {
    return i;
  }
  return SkipWsp(s, close + 1);
}

}  // namespace

int CompareAsciiCasemap(std::string_view a, std::string_view b) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = AsciiUpper(a[i]), y = AsciiUpper(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return CompareNumbers(a.size(), b.size());
}

std::vector<uint32_t> SortMessages(const std::vector<SortValues>& messages,
                                   const std::vector<SortCriterion>& criteria) {
  std::vector<const SortValues*> order;
  order.reserve(messages.size());
  for (const SortValues& m : messages) order.push_back(&m);
  std::sort(order.begin(), order.end(),
            [&](const SortValues* a, const SortValues* b) {
              for (const SortCriterion& c : criteria) {
                int r = CompareBy(*a, *b, c.key);
                if (c.reverse) r = -r;
                if (r != 0) return r < 0;
              }
              return a->id < b->id;
            });
  std::vector<uint32_t> ids;
  ids.reserve(order.size());
  for (const SortValues* m : order) ids.push_back(m->id);
  return ids;
}

std::vector<ThreadNode> ThreadOrderedSubject(
    const std::vector<ThreadInput>& messages) {
  std::vector<const ThreadInput*> order;
  for (const ThreadInput& m : messages) order.push_back(&m);
  std::sort(order.begin(), order.end(),
            [](const ThreadInput* a, const ThreadInput* b) {
              const int s = CompareAsciiCasemap(a->base_subject, b->base_subject);
              if (s != 0) return s < 0;
              return std::tie(a->sent_date, a->id) <
                     std::tie(b->sent_date, b->id);
            });
  // Each run of one base subject is a thread: the first message is the
  // parent, the rest are its children.
  std::vector<std::pair<const ThreadInput*, ThreadNode>> threads;
  for (size_t i = 0; i < order.size();) {
    size_t j = i + 1;
    ThreadNode node{order[i]->id, {}};
    while (j < order.size() && CompareAsciiCasemap(order[i]->base_subject,
                                                   order[j]->base_subject) == 0) {
      node.children.push_back(ThreadNode{order[j]->id, {}});
      ++j;
    }
    threads.emplace_back(order[i], std::move(node));
    i = j;
  }
  std::stable_sort(threads.begin(), threads.end(),
                   [](const auto& a, const auto& b) {
                     return std::tie(a.first->sent_date, a.first->id) <
                            std::tie(b.first->sent_date, b.first->id);
                   });
  std::vector<ThreadNode> out;
  out.reserve(threads.size());
  for (auto& t : threads) out.push_back(std::move(t.second));
  return out;
}

std::vector<ThreadNode> ThreadReferences(
    const std::vector<ThreadInput>& messages) {
  // Step 1: containers by Message-ID, linked along References.
  ContainerTable table;
  for (size_t i = 0; i < messages.size(); ++i) {
    const ThreadInput& m = messages[i];
    int self = -1;
    if (!m.message_id.empty()) {
      self = table.Lookup(m.message_id);
      // A duplicate Message-ID is treated as if it were unique.
      if (table.at(self).msg >= 0) self = -1;
    }
    if (self < 0) self = table.New();
    table.at(self).msg = static_cast<int>(i);
    // (A) link each reference to the next, unless already parented.
    int prev = -1;
    for (const std::string& ref : m.references) {
      const int cur = table.Lookup(ref);
      if (prev >= 0 && prev != cur && table.at(cur).parent < 0) {
        table.Link(prev, cur);
      }
      prev = cur;
    }
    // (B) the last reference is the parent, replacing any earlier guess.
    table.Unlink(self);
    if (prev >= 0 && prev != self) table.Link(prev, self);
  }
  // Step 2: the root set.
  std::vector<Tree> roots;
  for (size_t i = 0; i < table.size(); ++i) {
    if (table.at(static_cast<int>(i)).parent < 0) {
      roots.push_back(table.ToTree(static_cast<int>(i)));
    }
  }
  // Step 3: prune dummies.
  roots = Prune(std::move(roots), true);

  Threader threader(messages);
  // Step 4: sort the top level by date (a dummy by its first child).
  for (Tree& t : roots) {
    if (t.msg < 0) threader.SortSiblings(t.kids);
  }
  threader.SortSiblings(roots);

  // Step 5: gather top-level threads with the same base subject.
  std::unordered_map<std::string, size_t> subjects;
  for (size_t i = 0; i < roots.size(); ++i) {
    const std::string& s = threader.Subject(roots[i]);
    if (s.empty()) continue;
    auto [it, inserted] = subjects.emplace(FoldAscii(s), i);
    if (inserted) continue;
    const Tree& held = roots[it->second];
    if (held.msg >= 0 && (roots[i].msg < 0 ||
                          (threader.IsReply(held) && !threader.IsReply(roots[i])))) {
      it->second = i;
    }
  }
  std::vector<bool> merged(roots.size(), false);
  for (size_t i = 0; i < roots.size(); ++i) {
    const std::string& s = threader.Subject(roots[i]);
    if (s.empty()) continue;
    const size_t j = subjects.at(FoldAscii(s));
    if (j == i) continue;
    Tree& cur = roots[i];
    Tree& held = roots[j];
    if (cur.msg < 0 && held.msg < 0) {
      for (Tree& k : cur.kids) held.kids.push_back(std::move(k));
    } else if (held.msg < 0) {
      held.kids.push_back(std::move(cur));
    } else if (threader.IsReply(cur) && !threader.IsReply(held)) {
      held.kids.push_back(std::move(cur));
    } else {
      Tree dummy;
      dummy.kids.push_back(std::move(held));
      dummy.kids.push_back(std::move(cur));
      held = std::move(dummy);
    }
    merged[i] = true;
  }
  std::vector<Tree> gathered;
  for (size_t i = 0; i < roots.size(); ++i) {
    if (!merged[i]) gathered.push_back(std::move(roots[i]));
  }
  // Step 6: sort every set of siblings below the top level by date.
  threader.SortBelow(gathered);

  std::vector<ThreadNode> out;
  out.reserve(gathered.size());
  for (Tree& t : gathered) out.push_back(threader.ToNode(t));
  return out;
}

std::string FormatThreads(const std::vector<ThreadNode>& threads) {
  std::string out;
  for (const ThreadNode& t : threads) {
    out.push_back('(');
    AppendThreadBody(t, &out);
    out.push_back(')');
  }
  return out;
}

bool IsReplyOrForward(std::string_view s) {
  const std::string lower = FoldAscii(s);
  std::string_view u = lower;
  size_t i = SkipWsp(u, 0);
  if (u.substr(i, 5) == "[FWD:") return true;
  while (i < u.size()) {
    const size_t after_blob = SkipBlob(u, i);
    size_t j = after_blob;
    for (std::string_view word : {"FWD", "FW", "RE"}) {
      if (u.substr(j, word.size()) == word) {
        j += word.size();
        break;
      }
    }
    if (j != after_blob) {
      j = SkipWsp(u, j);
      j = SkipBlob(u, j);
      if (j < u.size() && u[j] == ':') return true;
    }
    if (after_blob == i) break;
    i = after_blob;
  }
  size_t end = u.size();
  while (end > 0 && IsWsp(u[end - 1])) --end;
  return end >= 5 && u.substr(end - 5, 5) == "(FWD)";
}

std::vector<std::string> ParseMsgIds(std::string_view value) {
  std::vector<std::string> ids;
  size_t i = 0;
  while ((i = value.find('<', i)) != std::string_view::npos) {
    const size_t close = value.find('>', i + 1);
    if (close == std::string_view::npos) break;
    std::string id;
    for (char c : value.substr(i + 1, close - i - 1)) {
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n') id.push_back(c);
    }
    if (!id.empty()) ids.push_back(std::move(id));
    i = close + 1;
  }
  return ids;
}

}  // namespace mailroom::imap
