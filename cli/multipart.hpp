// sigv4 multipart — the presigned URLs of a multipart upload, and the two documents a script
// needs between them:
//
//   sigv4 multipart create|part|complete|abort [options] s3://BUCKET/KEY
//   sigv4 multipart upload-id < answer.xml       sigv4 multipart body < parts.txt
#ifndef SIGV4_CLI_MULTIPART_HPP
#define SIGV4_CLI_MULTIPART_HPP

#include "common.hpp"
#include "presign.hpp"
#include "presign_post.hpp"  // read_all_stdin

#include <sigv4/s3_multipart.hpp>
#include <sigv4/sigv4.hpp>

#include <fmt/core.h>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sigv4_cli {

inline constexpr std::string_view multipart_help = R"(usage: sigv4 multipart create [options] s3://BUCKET/KEY
       sigv4 multipart part --upload-id ID (--part N | --parts N) [options] s3://BUCKET/KEY
       sigv4 multipart complete --upload-id ID [options] s3://BUCKET/KEY
       sigv4 multipart abort --upload-id ID [options] s3://BUCKET/KEY
       sigv4 multipart upload-id < answer.xml
       sigv4 multipart body < parts.txt

Prints the presigned URLs of an S3 multipart upload, one a line:
  create    POST ?uploads (CreateMultipartUpload); its answer holds the UploadId
  part      PUT ?partNumber=N&uploadId=ID (UploadPart): --part N for one part,
            --parts N for parts 1 to N, one URL a line; the answer's ETag header
            is needed for complete
  complete  POST ?uploadId=ID (CompleteMultipartUpload); send the body that
            'sigv4 multipart body' writes
  abort     DELETE ?uploadId=ID (AbortMultipartUpload)
and reads the documents between them:
  upload-id the UploadId of a CreateMultipartUpload answer on stdin (S3's <Error>
            answer is reported with its Code and Message)
  body      the CompleteMultipartUpload XML of lines 'PART-NUMBER ETAG' on stdin
            (ascending part numbers, 1 to 10000)

options: those of 'sigv4 presign' (--endpoint/--endpoint-url, --region, --expires/
--expires-in, --date, --style, --header, --acl, --session-token, --profile,
--output text|json, --curl), and
  --upload-id ID           the UploadId (part, complete, abort)
  --part N                 one part number, 1 to 10000 (part)
  --parts N                parts 1 to N (part)
  -h, --help               print this help

exit status: 0 printed; 1 refused (a library error, an <Error> answer); 2 a usage
error.
)";

/// A part number or count, 1 to 10000. @throws usage_error naming the flag.
inline int parse_part_number(std::string_view text, std::string_view flag) {
  long long v = 0;
  if (parse_whole_number(text, v) != number_text::number || v < sigv4::s3::min_part_number ||
      v > sigv4::s3::max_part_number)
    throw usage_error(fmt::format("{} takes a part number, 1 to 10000, got '{}'", flag, text));
  return static_cast<int>(v);
}

/// `multipart body`: 'PART ETAG' lines on stdin to the CompleteMultipartUpload XML.
inline int multipart_body() {
  line_reader lines(stdin);
  std::string line;
  std::vector<sigv4::s3::completed_part> parts;
  std::size_t n = 0;
  while (lines.next(line)) {
    ++n;
    const std::string_view l = trim_blanks(line);
    if (l.empty()) continue;
    const std::size_t space = l.find_first_of(" \t");
    if (space == std::string_view::npos)
      throw usage_error(fmt::format("stdin line {}: expected 'PART-NUMBER ETAG'", n));
    parts.push_back({parse_part_number(l.substr(0, space), fmt::format("stdin line {}", n)),
                     std::string(trim_blanks(l.substr(space + 1)))});
  }
  write_stdout(sigv4::s3::complete_multipart_body(parts) + "\n");
  return exit_ok;
}

/// `sigv4 multipart`.
inline int cmd_multipart(int argc, char** argv) {
  return run_command("sigv4 multipart", [&] {
    const std::string_view sub = argc >= 2 ? std::string_view(argv[1]) : std::string_view();
    if (sub.empty() || sub == "--help" || sub == "-h" || sub == "help") {
      if (sub.empty()) throw usage_error("missing the step: create, part, complete, abort, upload-id or body");
      fmt::print("{}", multipart_help);
      return exit_ok;
    }
    if (sub == "upload-id" || sub == "body") {
      if (argc > 2) {
        if (std::string_view(argv[2]) == "--help" || std::string_view(argv[2]) == "-h") {
          fmt::print("{}", multipart_help);
          return exit_ok;
        }
        throw unknown_argument(argv[2]);
      }
      if (sub == "body") return multipart_body();
      write_stdout(sigv4::s3::parse_upload_id(read_all_stdin()) + "\n");
      return exit_ok;
    }
    if (sub != "create" && sub != "part" && sub != "complete" && sub != "abort")
      throw usage_error(fmt::format("unknown step '{}': create, part, complete, abort, upload-id or body", sub));
    std::optional<std::string> upload_id, part, parts;
    const presign_args args = read_presign_flags(argc - 1, argv + 1, [&](arg_reader& r, std::string_view f) {
      if (f == "--upload-id") upload_id = r.value();
      else if (f == "--part") part = r.value();
      else if (f == "--parts") parts = r.value();
      else return false;
      return true;
    });
    if (print_help_if(args.common.help, multipart_help)) return exit_ok;
    if (args.common.method) throw usage_error("-X is not taken: each step has its method");
    if (args.batch) throw usage_error("--batch is not taken by multipart");
    if (sub == "create" && upload_id) throw usage_error("create makes the UploadId; --upload-id is not taken");
    if (sub != "create" && (!upload_id || upload_id->empty())) throw usage_error(fmt::format("{} needs --upload-id", sub));
    if (sub == "part" && (part.has_value() == parts.has_value())) throw usage_error("part needs --part N or --parts N");
    if (sub != "part" && (part || parts)) throw usage_error(fmt::format("{} takes no --part or --parts", sub));
    const output_format output = parse_output(args.common.output);
    const presign_plan plan = plan_presign(args);
    if (plan.object->key.empty()) throw usage_error("multipart needs an object, s3://BUCKET/KEY");
    const std::unique_ptr<sigv4::s3::presigner> presigner = make_presigner(plan, args);
    using sigv4::s3::http_method;
    presign_item item = item_of_plan(plan, *plan.object);
    if (sub == "create") {
      item.method = http_method::post;
      item.query = {{"uploads", ""}};
    } else if (sub == "complete" || sub == "abort") {
      item.method = sub == "complete" ? http_method::post : http_method::delete_;
      item.query = {{"uploadId", *upload_id}};
    } else {
      item.method = http_method::put;
      const int first = part ? parse_part_number(*part, "--part") : 1;
      const int last = part ? first : parse_part_number(*parts, "--parts");
      std::string out;
      for (int n = first; n <= last; ++n) {
        item.query = {{"partNumber", std::to_string(n)}, {"uploadId", *upload_id}};
        out += presign_line(*presigner, plan, args.curl, output, item);
      }
      write_stdout(out);
      return exit_ok;
    }
    write_stdout(presign_line(*presigner, plan, args.curl, output, item));
    return exit_ok;
  });
}

}  // namespace sigv4_cli

#endif
