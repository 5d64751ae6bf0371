// Hand-written test messages shared by the mime unit tests.
//
// Thread-safety: constants and pure functions.
#ifndef MAILROOM_MIME_TESTING_MESSAGES_H_
#define MAILROOM_MIME_TESTING_MESSAGES_H_

#include <string>
#include <string_view>

namespace mailroom::mime::testing {

// Turns every "\n" into "\r\n" (test messages are written with "\n").
inline std::string Crlf(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out.push_back('\r');
    out.push_back(c);
  }
  return out;
}

inline constexpr char kSinglePart[] =
    "From: Alice <alice@example.com>\n"
    "To: bob@example.org\n"
    "Subject: Hello\n"
    "Date: Mon, 7 Feb 1994 21:52:25 -0800\n"
    "Message-ID: <1@example.com>\n"
    "\n"
    "Hello Bob\n"
    "Second line\n";

inline constexpr char kMixedWithAttachment[] =
    "From: a@b.example\n"
    "Subject: x\n"
    "MIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"XYZ\"\n"
    "\n"
    "preamble\n"
    "--XYZ\n"
    "Content-Type: text/plain; charset=utf-8\n"
    "\n"
    "Body text\n"
    "--XYZ\n"
    "Content-Type: application/pdf; name=\"doc.pdf\"\n"
    "Content-Disposition: attachment; filename=\"doc.pdf\"\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "SGVsbG8=\n"
    "--XYZ--\n"
    "epilogue\n";

inline constexpr char kNestedAlternative[] =
    "Content-Type: multipart/mixed; boundary=outer\n"
    "\n"
    "--outer\n"
    "Content-Type: multipart/alternative; boundary=inner\n"
    "\n"
    "--inner\n"
    "Content-Type: text/plain\n"
    "\n"
    "plain words\n"
    "--inner\n"
    "Content-Type: text/html; charset=\"iso-8859-1\"\n"
    "Content-Transfer-Encoding: quoted-printable\n"
    "\n"
    "<p>Caf=E9 &amp; more</p>\n"
    "--inner--\n"
    "--outer\n"
    "Content-Type: image/png\n"
    "Content-ID: <img1>\n"
    "Content-Transfer-Encoding: base64\n"
    "\n"
    "iVBORw0KGgo=\n"
    "--outer--\n";

inline constexpr char kMessageAttachment[] =
    "Content-Type: multipart/mixed; boundary=b\n"
    "\n"
    "--b\n"
    "Content-Type: text/plain\n"
    "\n"
    "See attached\n"
    "--b\n"
    "Content-Type: message/rfc822\n"
    "\n"
    "From: Carol <carol@example.net>\n"
    "Subject: Inner\n"
    "Date: Tue, 1 Jan 2002 10:00:00 +0000\n"
    "\n"
    "Inner body\n"
    "--b--\n";

inline constexpr char kDigest[] =
    "Content-Type: multipart/digest; boundary=d\n"
    "\n"
    "--d\n"
    "\n"
    "Subject: one\n"
    "\n"
    "1\n"
    "--d\n"
    "\n"
    "Subject: two\n"
    "\n"
    "2\n"
    "--d--\n";

}  // namespace mailroom::mime::testing

#endif  // MAILROOM_MIME_TESTING_MESSAGES_H_
