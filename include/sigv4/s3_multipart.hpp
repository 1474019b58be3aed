/// @file
/// sigv4 — S3 multipart uploads, sans-IO: the UploadId out of an InitiateMultipartUploadResult,
/// the CompleteMultipartUpload body from (part number, ETag) pairs, and S3's `<Error>` answer.
/// The presigned URLs themselves come from s3::presigner (POST ?uploads, PUT
/// ?partNumber=N&uploadId=ID, POST ?uploadId=ID, DELETE ?uploadId=ID).
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
#ifndef SIGV4_S3_MULTIPART_HPP
#define SIGV4_S3_MULTIPART_HPP

#include "detail/config.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "errors.hpp"
#include "sts.hpp"  // sts::detail::xml_text, the one strict reader of a flat XML element

namespace sigv4::s3 {
SIGV4_BACKEND_NS_BEGIN

/// The part numbers S3 accepts.
inline constexpr int min_part_number = 1;
inline constexpr int max_part_number = 10000;  ///< the highest part number S3 accepts

/// One uploaded part: its number and the ETag the server answered its PUT with (quotes and
/// all, as sent).
struct completed_part {
  int part_number = 0;  ///< 1 to 10000 (min_part_number to max_part_number)
  std::string etag;     ///< the ETag header of the part's PUT answer, quotes included
};

/// S3's error answer: `<Error><Code>..</Code><Message>..</Message><RequestId>..</RequestId></Error>`.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
struct s3_error {
  std::string code;        ///< e.g. NoSuchUpload, AccessDenied, EntityTooSmall; never empty
  std::string message;     ///< may be empty
  std::string request_id;  ///< may be empty
};

SIGV4_BACKEND_NS_END
namespace detail {
SIGV4_BACKEND_NS_BEGIN

// The text of element `name` of `xml`, with sts::detail::xml_text's strictness (one element,
// no attributes, no markup, known entities), its refusals reported as errc::invalid_request.
inline std::optional<std::string> answer_text(std::string_view xml, std::string_view name, std::string_view what) {
  try {
    return sigv4::sts::detail::xml_text(xml, name);
  } catch (const error& e) {
    throw error(errc::invalid_request, std::string(what) + ": " + sigv4::detail::error_detail(e));
  }
}

inline bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

inline std::string_view skip_xml_space(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size() && is_xml_space(s[i])) ++i;
  return s.substr(i);
}

// The text between the start and the end tag of the document's root element `name` (its start
// tag may carry attributes, such as xmlns), after an optional XML declaration; whitespace may
// come before and after. nullopt when the document's root is another element, or the text is
// no XML document. Throws errc::invalid_request naming `what` when the root is `name` but is
// not closed, or anything but whitespace follows it.
inline std::optional<std::string_view> root_element_content(std::string_view xml, std::string_view name,
                                                            std::string_view what) {
  std::string_view rest = skip_xml_space(xml);
  if (rest.substr(0, 5) == "<?xml") {
    const std::size_t end = rest.find("?>");
    if (end == std::string_view::npos) return std::nullopt;
    rest = skip_xml_space(rest.substr(end + 2));
  }
  if (rest.size() < name.size() + 2 || rest[0] != '<' || rest.substr(1, name.size()) != name) return std::nullopt;
  const char after_name = rest[1 + name.size()];
  if (after_name != '>' && after_name != '/' && !is_xml_space(after_name)) return std::nullopt;
  const std::string close = "</" + std::string(name) + ">";
  const std::size_t open_end = rest.find('>');
  if (open_end == std::string_view::npos)
    throw error(errc::invalid_request, std::string(what) + " is not closed (its start tag has no '>')");
  std::string_view content, tail;
  if (rest[open_end - 1] == '/') {  // <name/>
    tail = rest.substr(open_end + 1);
  } else {
    const std::size_t at = rest.find(close, open_end + 1);
    if (at == std::string_view::npos) throw error(errc::invalid_request, std::string(what) + " is not closed (no " + close + ")");
    content = rest.substr(open_end + 1, at - open_end - 1);
    tail = rest.substr(at + close.size());
  }
  if (!skip_xml_space(tail).empty())
    throw error(errc::invalid_request, std::string(what) + " has content after its " + close);
  return content;
}

// Element text: & < > written as XML entities (quotes stay as they are, as in botocore's
// bodies); control characters other than tab are refused.
inline void append_xml_escaped(std::string& out, std::string_view text, std::string_view what) {
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t')
          throw error(errc::invalid_argument, std::string(what) + " holds a control character");
        out.push_back(c);
    }
  }
}

SIGV4_BACKEND_NS_END
}  // namespace detail
SIGV4_BACKEND_NS_BEGIN

/// The `<Error>` answer of S3 (and MinIO, Ceph RGW), or nullopt when `xml` is not one.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
/// @param xml the body of an S3 answer (whitespace before it is fine: S3 may send some before
///        the `<Error>` of a CompleteMultipartUpload answered with 200).
/// @return its Code, Message and RequestId; nullopt when the document's root element is not
///         `<Error>` (another answer, an HTML page of a proxy, no XML at all).
/// @throws sigv4::error errc::invalid_request when it is an `<Error>` that is not closed, is
///         followed by more than whitespace, has no `<Code>`, or whose elements are malformed
///         (twice, with markup, an unknown entity).
inline std::optional<s3_error> parse_s3_error(std::string_view xml) {
  const auto body = detail::root_element_content(xml, "Error", "the S3 error answer");
  if (!body) return std::nullopt;
  s3_error e;
  const auto code = detail::answer_text(*body, "Code", "the S3 error answer");
  if (!code || code->empty()) throw error(errc::invalid_request, "the S3 error answer has no <Code>");
  e.code = *code;
  e.message = detail::answer_text(*body, "Message", "the S3 error answer").value_or("");
  e.request_id = detail::answer_text(*body, "RequestId", "the S3 error answer").value_or("");
  return e;
}

/// The UploadId of a CreateMultipartUpload answer (InitiateMultipartUploadResult).
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateMultipartUpload.html
/// @param xml the body of the answer to the presigned POST ?uploads.
/// @return the UploadId, to pass to the part, complete and abort URLs.
/// @throws sigv4::error errc::invalid_request for an `<Error>` answer (its Code and Message
///         quoted), a document whose root element is not `<InitiateMultipartUploadResult>`
///         (or that is not closed, or has more than whitespace after it), or an UploadId in
///         it that is missing, empty, repeated or malformed.
inline std::string parse_upload_id(std::string_view xml) {
  if (const auto e = parse_s3_error(xml))
    throw error(errc::invalid_request, "CreateMultipartUpload was refused: " + sigv4::detail::quote_input(e->code) +
                                           (e->message.empty() ? "" : " " + sigv4::detail::quote_input(e->message)));
  const auto result =
      detail::root_element_content(xml, "InitiateMultipartUploadResult", "the InitiateMultipartUploadResult");
  if (!result) throw error(errc::invalid_request, "the answer is not an InitiateMultipartUploadResult");
  const auto id = detail::answer_text(*result, "UploadId", "the InitiateMultipartUploadResult");
  if (!id || id->empty()) throw error(errc::invalid_request, "the InitiateMultipartUploadResult has no UploadId");
  for (char c : *id)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f)
      throw error(errc::invalid_request, "the UploadId holds whitespace or a control character");
  return *id;
}

/// The CompleteMultipartUpload body for `parts`, which must be in ascending part-number order
/// (1 to 10000, each once) with non-empty ETags.
/// https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
/// @param parts the uploaded parts, in ascending part-number order.
/// @return the XML body of the presigned POST ?uploadId=ID, with `&`, `<` and `>` of the ETags
///         escaped.
/// @throws sigv4::error errc::invalid_argument for no parts, a part number out of range or out
///         of order, or an empty ETag or one with control characters.
inline std::string complete_multipart_body(const std::vector<completed_part>& parts) {
  if (parts.empty()) throw error(errc::invalid_argument, "CompleteMultipartUpload needs at least one part");
  std::string out = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">";
  int previous = 0;
  for (const completed_part& p : parts) {
    if (p.part_number < min_part_number || p.part_number > max_part_number)
      throw error(errc::invalid_argument, "part number " + std::to_string(p.part_number) + " is not 1 to 10000");
    if (p.part_number <= previous)
      throw error(errc::invalid_argument, "part number " + std::to_string(p.part_number) + " comes after part " +
                                              std::to_string(previous) + ": parts must be in ascending order, each once");
    if (p.etag.empty()) throw error(errc::invalid_argument, "part " + std::to_string(p.part_number) + " has no ETag");
    previous = p.part_number;
    out += "<Part><PartNumber>" + std::to_string(p.part_number) + "</PartNumber><ETag>";
    detail::append_xml_escaped(out, p.etag, "an ETag");
    out += "</ETag></Part>";
  }
  out += "</CompleteMultipartUpload>";
  return out;
}

SIGV4_BACKEND_NS_END
}  // namespace sigv4::s3

#endif
