// sigv4 presign — prints presigned S3 object URLs:
//
//   sigv4 presign [options] s3://BUCKET/KEY      (or --batch, one per line on stdin)
#ifndef SIGV4_CLI_PRESIGN_HPP
#define SIGV4_CLI_PRESIGN_HPP

#include "common.hpp"

#include <sigv4/detail/json.hpp>
#include <sigv4/sigv4.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace sigv4_cli {

inline constexpr std::string_view presign_help = R"(usage: sigv4 presign [options] s3://BUCKET/KEY
       sigv4 presign [options] s3://BUCKET          (a bucket request)
       sigv4 presign --batch [options] < objects.txt

Prints a presigned URL for an S3 (or MinIO, or other S3-compatible) object, and a
newline. Whoever holds the URL can make the request it was signed for (-X) until
it expires, without credentials of their own. KEY is everything after the
bucket's '/', taken literally: it is not decoded, and '+', '%', spaces, a leading
'/', '//' and '..' are all part of the key.

s3://BUCKET (or s3://BUCKET/) presigns a request on the bucket itself: -X GET is
ListObjectsV2 (list-type=2 is added; give --query prefix=P, --query delimiter=/,
...; --query uploads lists multipart uploads instead), HEAD is HeadBucket, PUT
CreateBucket, DELETE DeleteBucket. The path is /BUCKET (path style) or /.

options:
  -X, --method M           GET, PUT, HEAD or DELETE (default: GET)
  --endpoint URL           (or --endpoint-url) scheme, host and optional port, no path, e.g.
                           http://127.0.0.1:9000 (default: $AWS_ENDPOINT_URL_S3,
                           else $AWS_ENDPOINT_URL, else https://s3.REGION.amazonaws.com)
  --region R               the region of the signature (default: $AWS_REGION, else
                           $AWS_DEFAULT_REGION, else the profile's region, else
                           us-east-1; MinIO: us-east-1 unless configured otherwise)
  --expires N              (or --expires-in) the URL's lifetime, 1 to 604800 seconds
                           (7d): seconds, or a duration such as 90s, 15m, 12h, 7d or
                           1h30m (default: 3600)
  --date YYYYMMDDTHHMMSSZ  the signing time, UTC (default: now)
  --style S                path (scheme://endpoint/BUCKET/KEY), virtual
                           (scheme://BUCKET.endpoint/KEY) or auto: virtual on AWS
                           endpoints when the bucket name allows it, else path
                           (default: auto)
  --header 'Name: value'   a header to sign, e.g. 'Content-Type: image/tiff' for a
                           PUT; repeatable. Every --header is signed: the client
                           must send each one, unchanged, with its request, or the
                           server refuses it (SignatureDoesNotMatch)
  --query 'name=value'     an extra signed query parameter, e.g.
                           'response-content-disposition=attachment; filename=a.txt';
                           split at the first '=', no '=' means an empty value; the
                           value is raw (the tool encodes it); repeatable
  --version-id ID          a version of the object (adds the query versionId=ID)
  --acl ACL                lock the ACL of uploads: a PUT URL signs the header
                           'x-amz-acl: ACL', so the client must send exactly that
                           header and cannot pick another ACL (such as public-read,
                           which a server that ignores unsigned headers, like Ceph
                           RGW, would apply). ACL is one of S3's canned ACLs:
                           private, public-read, public-read-write,
                           authenticated-read, aws-exec-read, bucket-owner-read,
                           bucket-owner-full-control. A --header x-amz-acl of
                           another value is an error
  --for TARGET             s3 (default: every key is signed as it is) or minio:
                           refuse keys with a '.' or '..' path segment ('a/../b',
                           './x'), which MinIO refuses and which browsers and curl
                           rewrite before sending, so such a URL could never work.
                           Use minio also for URLs that browsers will open
  --session-token T        the session token to sign with, replacing the one that
                           came with the credentials
  --profile NAME           the profile (default: $AWS_PROFILE, else default): its
                           credentials from the shared credentials file, else its
                           credential_process, else its keys in the config file;
                           its region, endpoint_url and s3 addressing_style from
                           the config file
  --batch                  read one s3://BUCKET/KEY per line on stdin (a trailing CR
                           is dropped) and print one line per input line, in
                           order: a bad line (an empty one too) prints an empty
                           line ({"line": N, "error": "..."} with --output json)
                           and 'sigv4: line N: ...' on stderr, and the other lines
                           are still printed. A line may instead be a JSON object:
                           {"url": "s3://B/K"} or {"bucket": "B", "key": "K"}, with
                           optional "method", "content_type", "expires" (seconds or
                           a duration) and "headers" ({"Name": "value"}), which
                           replace the command line's for that line. No s3://
                           argument is given with --batch
  --output FORMAT          text (default: the URL) or json: one object a line,
                           {"url", "method", "bucket", "key", "expires_at" (RFC
                           3339), "headers": {the headers the client must send}}
  --curl                   print the curl command instead of the bare URL: the
                           method, -H for each header to send, -T FILE for a PUT
                           (with --output json: a "curl" member)
  -h, --help               print this help

Sign for the host the clients will use. The Host header is signed, so a URL signed
for an internal name (http://minio.svc:9000) fails with SignatureDoesNotMatch when
it is fetched through a public one (https://files.example.com), even if both names
lead to the same server. Give that public name as --endpoint.

credentials, the first found (botocore's order):
  with --profile NAME: that profile of the shared credentials file, else that
    profile's credential_process, else its aws_access_key_id,
    aws_secret_access_key and aws_session_token in the config file, only
  AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN and
    AWS_CREDENTIAL_EXPIRATION for temporary credentials (a URL that would outlive
    them is refused)
  MINIO_ROOT_USER and MINIO_ROOT_PASSWORD
  MINIO_ACCESS_KEY and MINIO_SECRET_KEY
    (each of these variables may instead be given as X_FILE, naming a file that
    holds the value)
  the shared credentials file: $AWS_SHARED_CREDENTIALS_FILE, else
    ~/.aws/credentials; profile $AWS_PROFILE, else default
  that profile's credential_process (split into words as botocore splits it,
    shlex's rules: quotes, backslashes; run without a shell, the program found on
    PATH; its JSON answer, Version 1, with its Expiration honoured; killed after
    $SIGV4_CREDENTIAL_PROCESS_TIMEOUT, default 60s)
  that profile's aws_access_key_id, aws_secret_access_key and aws_session_token
    (or aws_security_token) in the config file

the config file ($AWS_CONFIG_FILE, else ~/.aws/config), as the AWS CLI reads it:
  [default] or [profile NAME] with region, endpoint_url, services = SECTION (whose
  [services SECTION] 's3 =' block's endpoint_url comes first), an 's3 =' block
  with addressing_style = path|virtual|auto, credential_process,
  aws_access_key_id / aws_secret_access_key / aws_session_token, and
  ignore_configured_endpoint_urls = true

precedence, for the endpoint, the region and the style: the flag, then the
environment, then the profile, then the default:
  endpoint  --endpoint, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's,
            https://s3.REGION.amazonaws.com (AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true
            skips the variables and the profile)
  region    --region, AWS_REGION, AWS_DEFAULT_REGION, the profile's, us-east-1
  style     --style, the profile's s3 addressing_style, auto

exit status: 0 printed; 1 a URL could not be made (with --batch: some line
failed); 2 a usage error.
)";

/// The `presign` command line, as given.
struct presign_args {
  url_command_flags common;  // -X, --date, --header, --region, --session-token, --profile
  std::optional<std::string> endpoint, expires, style, version_id, acl, target;
  std::string expires_flag = "--expires";  // as written: --expires or --expires-in
  std::vector<std::string> query;  // 'name=value'
  bool batch = false;
  bool curl = false;  // --curl: print the curl command
};

/// Reads the flags of `presign` (and `extra(reader, flag)`'s, which returns false for a flag it
/// does not know); stops early at --help.
/// @throws usage_error on an unknown flag or a missing value.
template <class Extra>
presign_args read_presign_flags(int argc, char** argv, Extra&& extra) {
  presign_args a;
  read_url_command_flags(argc, argv, "--date", a.common, [&a, &extra](arg_reader& args, std::string_view f) {
    if (f == "--endpoint" || f == "--endpoint-url") a.endpoint = args.value();
    else if (f == "--expires" || f == "--expires-in") {
      a.expires = args.value();
      a.expires_flag = std::string(f);
    } else if (f == "--style") a.style = args.value();
    else if (f == "--query") a.query.push_back(args.value());
    else if (f == "--version-id") a.version_id = args.value();
    else if (f == "--acl") a.acl = args.value();
    else if (f == "--for") a.target = args.value();
    else if (f == "--batch") {
      args.expect_no_value();
      a.batch = true;
    } else if (f == "--curl") {
      args.expect_no_value();
      a.curl = true;
    } else {
      return extra(args, f);
    }
    return true;
  });
  return a;
}

inline presign_args read_presign_flags(int argc, char** argv) {
  return read_presign_flags(argc, argv, [](arg_reader&, std::string_view) { return false; });
}

/// Where an object is: s3://BUCKET/KEY split at the first '/' after the bucket. An empty key
/// (s3://BUCKET or s3://BUCKET/) names the bucket itself.
struct object_location {
  std::string bucket;
  std::string key;
};

/// Splits "s3://BUCKET/KEY"; the key is taken literally. The bucket and key themselves are
/// checked by the presigner.
/// @throws usage_error when the text is not of that shape.
inline object_location parse_object_url(std::string_view text) {
  constexpr std::string_view scheme = "s3://";
  if (text.substr(0, scheme.size()) != scheme)
    throw usage_error(fmt::format("'{}' is not an s3://BUCKET/KEY URL (it does not start with s3://)", text));
  const std::string_view rest = text.substr(scheme.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return {std::string(rest), std::string()};
  return {std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1))};
}

inline sigv4::s3::http_method parse_method(std::string_view m) {
  using sigv4::s3::http_method;
  if (m == "GET") return http_method::get;
  if (m == "PUT") return http_method::put;
  if (m == "HEAD") return http_method::head;
  if (m == "DELETE") return http_method::delete_;
  throw usage_error(fmt::format("-X takes GET, PUT, HEAD or DELETE, got '{}'", m));
}

inline sigv4::s3::addressing_style parse_style(std::string_view s) {
  using sigv4::s3::addressing_style;
  if (s == "path") return addressing_style::path;
  if (s == "virtual") return addressing_style::virtual_hosted;
  if (s == "auto") return addressing_style::automatic;
  throw usage_error(fmt::format("--style takes path, virtual or auto, got '{}'", s));
}

/// Everything a presign run needs, checked; the strings the request's views point into.
struct presign_plan {
  sigv4::s3::http_method method = sigv4::s3::http_method::get;
  std::string endpoint;
  bool default_endpoint = false;
  std::string region;
  std::chrono::seconds expires{3600};
  std::optional<sigv4::time_point> date;
  sigv4::s3::addressing_style style = sigv4::s3::addressing_style::automatic;
  std::string upload_acl;  // --acl; empty: none locked
  sigv4::s3::key_rules keys = sigv4::s3::key_rules::s3;
  std::vector<sigv4::header> headers;
  std::vector<std::pair<std::string, std::string>> query;
  std::optional<object_location> object;  // without --batch
  active_profile profile;                 // of the AWS config file
};

/// Checks the command line and fills in the defaults.
/// @throws usage_error; sigv4::error for an expiry too large to be a number.
inline presign_plan plan_presign(const presign_args& a) {
  const url_command_flags& c = a.common;
  presign_plan p;
  if (c.method) p.method = parse_method(*c.method);
  p.profile = load_profile(c.profile);
  if (a.style) {
    p.style = parse_style(*a.style);
  } else if (const std::string& style = p.profile.config.addressing_style; !style.empty()) {
    if (style == "path" || style == "virtual" || style == "auto") p.style = parse_style(style);
    else
      throw sigv4::error(sigv4::errc::invalid_argument,
                         fmt::format("profile '{}' of the config file '{}' has s3 addressing_style '{}'; expected path, "
                                     "virtual or auto",
                                     p.profile.config.name, p.profile.config_path, style));
  }
  if (a.acl) {
    p.upload_acl = *a.acl;
    try {
      sigv4::s3::check_canned_acl(p.upload_acl);
    } catch (const sigv4::error&) {
      throw usage_error(fmt::format("--acl takes one of S3's canned ACLs (private, public-read, public-read-write, "
                                    "authenticated-read, aws-exec-read, bucket-owner-read, bucket-owner-full-control), "
                                    "got '{}'",
                                    *a.acl));
    }
  }
  if (a.target) {
    if (*a.target == "minio") p.keys = sigv4::s3::key_rules::minio;
    else if (*a.target != "s3") throw usage_error(fmt::format("--for takes s3 or minio, got '{}'", *a.target));
  }
  if (a.expires) p.expires = std::chrono::seconds(parse_expires(*a.expires, a.expires_flag));
  if (c.time) p.date = time_flag(c.time, "--date");
  p.headers = parse_header_flags(c.headers);
  for (const std::string& q : a.query) {
    const std::size_t eq = q.find('=');
    const std::string name = q.substr(0, eq);
    if (name.empty()) throw usage_error(fmt::format("--query takes 'name=value', got '{}' (no name)", q));
    p.query.emplace_back(name, eq == std::string::npos ? std::string() : q.substr(eq + 1));
  }
  if (a.version_id) {
    if (a.version_id->empty()) throw usage_error("--version-id needs a version id");
    p.query.emplace_back("versionId", *a.version_id);
  }
  if (a.batch && !c.positionals.empty())
    throw usage_error(fmt::format("--batch reads the objects on stdin; unexpected argument '{}'", c.positionals[0]));
  if (!a.batch) {
    if (c.positionals.empty()) throw usage_error("missing the object, s3://BUCKET/KEY");
    if (c.positionals.size() > 1) throw usage_error(fmt::format("unexpected argument '{}'", c.positionals[1]));
    p.object = parse_object_url(c.positionals[0]);
  }
  // The last --region counts.
  p.region = c.regions.empty() ? default_region(p.profile) : c.regions.back();
  if (a.endpoint) {
    p.endpoint = *a.endpoint;
  } else if (auto e = configured_endpoint(p.profile)) {
    p.endpoint = *e;
  } else {
    p.endpoint = default_s3_endpoint(p.region);
    p.default_endpoint = true;
  }
  return p;
}

/// The presigner of a plan: the one used for every URL of the run.
/// @throws sigv4::error for a bad endpoint or region, or missing or unusable credentials.
inline std::unique_ptr<sigv4::s3::presigner> make_presigner(const presign_plan& p, const presign_args& a) {
  if (p.default_endpoint) {
    const bool host_label = !p.region.empty() && std::all_of(p.region.begin(), p.region.end(), [](char c) {
      return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
    if (!host_label)
      throw sigv4::error(sigv4::errc::invalid_region,
                         fmt::format("region '{}' cannot form the default endpoint https://s3.REGION.amazonaws.com; "
                                     "give --endpoint",
                                     p.region));
  }
  sigv4::credentials creds = load_credentials(p.profile, a.common.session_token);
  sigv4::s3::presigner_options options;
  options.style = p.style;
  options.upload_acl = p.upload_acl;
  options.keys = p.keys;
  return std::make_unique<sigv4::s3::presigner>(p.endpoint, p.region, std::move(creds), std::move(options));
}

/// Reads stdin line by line: the line without its LF (and a CR before it). False at the end.
class line_reader {
 public:
  explicit line_reader(std::FILE* in) : in_(in) {}

  bool next(std::string& line) {
    line.clear();
    for (;;) {
      if (pos_ == len_) {
        if (eof_) break;
        len_ = std::fread(buffer_, 1, sizeof buffer_, in_);
        pos_ = 0;
        if (len_ < sizeof buffer_) {
          if (std::ferror(in_)) throw std::system_error(errno, std::generic_category(), "cannot read stdin");
          eof_ = true;
        }
        if (len_ == 0) break;
      }
      const char* start = buffer_ + pos_;
      const void* nl = std::memchr(start, '\n', len_ - pos_);
      if (nl != nullptr) {
        const std::size_t n = static_cast<std::size_t>(static_cast<const char*>(nl) - start);
        line.append(start, n);
        pos_ += n + 1;
        strip_cr(line);
        return true;
      }
      line.append(start, len_ - pos_);
      pos_ = len_;
    }
    // The end of the input: a last line without its LF still counts.
    const bool had_text = !line.empty();
    strip_cr(line);
    return had_text;
  }

 private:
  static void strip_cr(std::string& line) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
  }
  std::FILE* in_;
  char buffer_[65536];
  std::size_t pos_ = 0, len_ = 0;
  bool eof_ = false;
};

/// One URL to make: the object, and what a --batch JSON line may change of the plan.
struct presign_item {
  object_location where;
  sigv4::s3::http_method method = sigv4::s3::http_method::get;
  std::chrono::seconds expires{3600};
  std::vector<sigv4::header> headers;
  std::vector<std::pair<std::string, std::string>> query;  // beside the plan's (multipart's)
};

inline presign_item item_of_plan(const presign_plan& plan, object_location where) {
  return {std::move(where), plan.method, plan.expires, plan.headers, {}};
}

/// A --batch line holding a JSON object: {"url": "s3://BUCKET/KEY"} or {"bucket": B, "key": K},
/// with optional "method", "content_type", "expires" (seconds or a duration text) and
/// "headers" ({"Name": "value"}), each replacing the command line's.
/// @throws usage_error naming what is wrong; sigv4::error for an expiry too large.
inline presign_item item_of_json_line(const presign_plan& plan, std::string_view line) {
  using type = sigv4::detail::json_value::type;
  sigv4::detail::json_value doc;
  if (const char* why = sigv4::detail::parse_json(line, doc)) throw usage_error(why);
  if (doc.kind != type::object) throw usage_error("a JSON line must be an object");
  const auto text_member = [&](std::string_view name) -> std::optional<std::string> {
    const sigv4::detail::json_value* v = doc.find(name);
    if (v == nullptr) return std::nullopt;
    if (v->kind != type::string) throw usage_error(fmt::format("\"{}\" must be a string", name));
    return v->text;
  };
  for (const std::string& name : doc.names)
    if (name != "url" && name != "bucket" && name != "key" && name != "method" && name != "content_type" &&
        name != "expires" && name != "headers")
      throw usage_error(fmt::format("unknown member \"{}\" (known: url, bucket, key, method, content_type, expires, "
                                    "headers)",
                                    name));
  const std::optional<std::string> url = text_member("url"), bucket = text_member("bucket"), key = text_member("key");
  object_location where;
  if (url) {
    if (bucket || key) throw usage_error("give \"url\" or \"bucket\" and \"key\", not both");
    where = parse_object_url(*url);
  } else {
    if (!bucket || !key) throw usage_error("a JSON line needs \"url\", or \"bucket\" and \"key\"");
    where = {*bucket, *key};
  }
  presign_item item = item_of_plan(plan, std::move(where));
  if (auto m = text_member("method")) item.method = parse_method(*m);
  if (const sigv4::detail::json_value* e = doc.find("expires")) {
    if (e->kind == type::integer) item.expires = std::chrono::seconds(parse_expires(std::to_string(e->number), "\"expires\""));
    else if (e->kind == type::string) item.expires = std::chrono::seconds(parse_expires(e->text, "\"expires\""));
    else throw usage_error("\"expires\" must be a number of seconds or a duration text");
  }
  if (const sigv4::detail::json_value* h = doc.find("headers")) {
    if (h->kind != type::object) throw usage_error("\"headers\" must be an object of \"Name\": \"value\"");
    item.headers.clear();
    for (std::size_t i = 0; i < h->names.size(); ++i) {
      if (h->items[i].kind != type::string) throw usage_error("every header value must be a string");
      item.headers.push_back({h->names[i], h->items[i].text});
    }
  }
  if (auto ct = text_member("content_type")) {
    item.headers.erase(std::remove_if(item.headers.begin(), item.headers.end(),
                                      [](const sigv4::header& x) { return sigv4::detail::iequals(x.name, "content-type"); }),
                       item.headers.end());
    item.headers.push_back({"Content-Type", *ct});
  }
  return item;
}

/// The headers a client must send with the URL: every signed one but Host (the locked
/// x-amz-acl among them when the URL signs it).
inline std::vector<sigv4::header> headers_to_send(const presign_item& item, const presign_plan& plan,
                                                  std::string_view url) {
  std::vector<sigv4::header> out = item.headers;
  const std::size_t at = url.find("X-Amz-SignedHeaders=");
  if (!plan.upload_acl.empty() && at != std::string_view::npos) {
    std::string_view list = url.substr(at + 20);
    list = list.substr(0, list.find('&'));
    std::string decoded;
    if (sigv4::detail::append_query_decoded(decoded, list)) {
      const bool signs_acl = (";" + decoded + ";").find(";x-amz-acl;") != std::string::npos;
      const bool given = std::any_of(out.begin(), out.end(),
                                     [](const sigv4::header& h) { return sigv4::detail::iequals(h.name, "x-amz-acl"); });
      if (signs_acl && !given) out.push_back({"x-amz-acl", plan.upload_acl});
    }
  }
  return out;
}

/// The curl command of a presigned request: the method, the headers to send, -T FILE for a
/// PUT, and the URL.
inline std::string curl_command(sigv4::s3::http_method method, const std::vector<sigv4::header>& headers,
                                std::string_view url) {
  using sigv4::s3::http_method;
  std::string out = "curl";
  if (method == http_method::head) out += " -I";
  else if (method == http_method::delete_) out += " -X DELETE";
  else if (method == http_method::post) out += " -X POST";
  for (const sigv4::header& h : headers) out += " -H " + shell_quote(h.name + ": " + std::string(trim_blanks(h.value)));
  if (method == http_method::put) out += " -T FILE";
  out += " " + shell_quote(url);
  return out;
}

/// The request of one item (its views point into `item` and `plan`). A bucket request (no
/// key) that is a GET lists objects (list-type=2) unless its query names another listing.
inline sigv4::s3::object_request request_of(const presign_plan& plan, const presign_item& item) {
  sigv4::s3::object_request request;
  request.method = item.method;
  request.expires = item.expires;
  request.bucket = item.where.bucket;
  request.key = item.where.key;
  for (const auto& [name, value] : plan.query) request.query.push_back({name, value});
  for (const auto& [name, value] : item.query) request.query.push_back({name, value});
  for (const sigv4::header& h : item.headers) request.headers.push_back({h.name, h.value});
  if (item.where.key.empty()) {
    // A bucket request: a GET is ListObjectsV2 unless the query says another listing.
    const auto names_listing = [](const sigv4::s3::param& q) {
      return q.name == "list-type" || q.name == "uploads" || q.name == "versions";
    };
    if (item.method == sigv4::s3::http_method::get && std::none_of(request.query.begin(), request.query.end(), names_listing))
      request.query.push_back({"list-type", "2"});
  }
  return request;
}

/// The output line of an item whose URL, signed at `at`, is `url`: the URL, the curl command
/// or the JSON object, and a newline.
inline std::string format_presign_line(const presign_plan& plan, bool curl, output_format output,
                                       const presign_item& item, sigv4::time_point at, std::string_view url) {
  const std::vector<sigv4::header> send = headers_to_send(item, plan, url);
  std::string line;
  if (output == output_format::json) {
    sigv4::detail::json_writer w(false);
    w.open('{');
    w.member("url");
    w.string(url);
    w.member("method");
    w.string(sigv4::s3::method_name(item.method));
    w.member("bucket");
    w.string(item.where.bucket);
    w.member("key");
    w.string(item.where.key);
    w.member("expires_at");
    w.string(rfc3339(at + item.expires));
    w.member("headers");
    w.open('{');
    for (const sigv4::header& h : send) {
      w.member(h.name);
      w.string(trim_blanks(h.value));
    }
    w.close('}');
    if (curl) {
      w.member("curl");
      w.string(curl_command(item.method, send, url));
    }
    w.close('}');
    line = w.take();
  } else {
    line = curl ? curl_command(item.method, send, url) : std::string(url);
  }
  line.push_back('\n');
  return line;
}

/// Signs one item and returns its output line.
/// @throws sigv4::error from the presigner.
inline std::string presign_line(const sigv4::s3::presigner& presigner, const presign_plan& plan, bool curl,
                                output_format output, const presign_item& item) {
  const sigv4::s3::object_request request = request_of(plan, item);
  const sigv4::time_point at = plan.date ? *plan.date : sigv4::clock::now();
  std::string url;
  if (item.where.key.empty()) presigner.presign_bucket(request, at, url);
  else presigner.presign(request, at, url);
  return format_presign_line(plan, curl, output, item, at, url);
}

/// `sigv4 presign`: prints presigned object URLs.
inline int cmd_presign(int argc, char** argv) {
  return run_command("sigv4 presign", [&] {
    const presign_args args = read_presign_flags(argc, argv);
    if (print_help_if(args.common.help, presign_help)) return exit_ok;
    const output_format output = parse_output(args.common.output);
    const presign_plan plan = plan_presign(args);
    const std::unique_ptr<sigv4::s3::presigner> presigner = make_presigner(plan, args);
    const auto presign_item_out = [&](const presign_item& item) {
      write_stdout(presign_line(*presigner, plan, args.curl, output, item));
    };
    if (!args.batch) {
      presign_item_out(item_of_plan(plan, *plan.object));
      return exit_ok;
    }
    // --batch: one output line per input line, in order, so that a script can zip them; a
    // failed line prints an empty line (text) or {"line": N, "error": "..."} (json), and its
    // error on stderr.
    line_reader lines(stdin);
    std::string line;
    std::size_t line_number = 0;
    bool failed = false;
    const auto report_line = [&](const char* what) {
      fmt::print(stderr, "sigv4: line {}: {}\n", line_number, what);
      failed = true;
      if (output == output_format::json) {
        sigv4::detail::json_writer w(false);
        w.open('{');
        w.member("line");
        w.integer(static_cast<long long>(line_number));
        w.member("error");
        w.string(sigv4::detail::is_valid_utf8(what) ? std::string_view(what) : "the error message is not UTF-8");
        w.close('}');
        std::string out = w.take();
        out.push_back('\n');
        write_stdout(out);
      } else {
        write_stdout("\n");
      }
    };
    // Lines are read in chunks; the object requests of a chunk are signed by one
    // presign_batch call (at one time), bucket requests one by one, and the lines are
    // printed in input order.
    constexpr std::size_t chunk = 1024;
    struct pending {
      std::optional<presign_item> item;  // empty: the line failed before signing
      std::string error;                 // why, then
      std::size_t batch_index = 0;       // its request in the batch (object requests)
    };
    std::vector<pending> lines_of_chunk;
    std::vector<sigv4::s3::object_request> requests;
    sigv4::s3::presigned_batch batch;
    bool more = true;
    while (more) {
      lines_of_chunk.clear();
      requests.clear();
      while (lines_of_chunk.size() < chunk && (more = lines.next(line))) {
        pending p;
        try {
          if (line.empty()) throw usage_error("an empty line; expected s3://BUCKET/KEY or a JSON object");
          p.item = line.front() == '{' ? item_of_json_line(plan, line) : item_of_plan(plan, parse_object_url(line));
        } catch (const usage_error& e) {
          p.error = e.what();
        } catch (const sigv4::error& e) {
          p.error = e.what();
        }
        lines_of_chunk.push_back(std::move(p));
      }
      if (lines_of_chunk.empty()) break;
      // the items are in place now: the requests' views may point into them
      for (pending& p : lines_of_chunk)
        if (p.item && !p.item->where.key.empty()) {
          p.batch_index = requests.size();
          requests.push_back(request_of(plan, *p.item));
        }
      const sigv4::time_point at = plan.date ? *plan.date : sigv4::clock::now();
      presigner->presign_batch(requests.data(), requests.size(), at, batch);
      for (pending& p : lines_of_chunk) {
        ++line_number;
        if (!p.item) {
          report_line(p.error.c_str());
          continue;
        }
        if (p.item->where.key.empty()) {
          try {
            presign_item_out(*p.item);
          } catch (const sigv4::error& e) {
            report_line(e.what());
          }
          continue;
        }
        if (const sigv4::error* e = batch.failure(p.batch_index)) {
          report_line(e->what());
          continue;
        }
        write_stdout(format_presign_line(plan, args.curl, output, *p.item, at, batch.url(p.batch_index)));
      }
    }
    return failed ? exit_failure : exit_ok;
  });
}

}  // namespace sigv4_cli

#endif
