// upload_worker — uploads one file through presigned URLs only:
//
//   upload_worker --endpoint URL --region R [--multipart-threshold BYTES] [--part-size BYTES]
//                 [--expires SECONDS] s3://bucket/key FILE
//
// Below the threshold (default 64 MiB): one presigned PUT. From it on: a multipart upload, each
// step with its own presigned URL: POST ?uploads (CreateMultipartUpload, whose answer holds the
// UploadId), PUT ?partNumber=N&uploadId=ID per part (8 MiB by default, at least 5 MiB, the last
// one smaller; each answer's ETag is kept), then POST ?uploadId=ID with the part list
// (CompleteMultipartUpload). A failed upload is aborted with a presigned DELETE ?uploadId=ID.
//
// Here the worker presigns its own URLs from its credentials (sigv4::default_credentials());
// the transfer code takes nothing but URLs, so the presigning could as well happen in a
// coordinator that hands the URLs to workers holding no credentials at all.
//
// The HTTP side is libcurl. Progress goes to stderr: on a terminal one line rewritten in place,
// otherwise plain lines ("upload: part 3/8 done", "upload: 150001 bytes sent"). The UploadId is
// printed when the upload starts; SIGINT or SIGTERM stops the upload and aborts it; a part that
// fails is sent again, up to three times, after 0.5 s and then 1 s. The S3 documents (the
// UploadId, the CompleteMultipartUpload body, <Error> answers) come from sigv4/s3_multipart.hpp.
#include <sigv4/s3.hpp>
#include <sigv4/s3_multipart.hpp>

#include <curl/curl.h>
#include <fmt/core.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#if !defined(_WIN32)
#include <unistd.h>
#endif

namespace {

using namespace std::chrono_literals;

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

constexpr std::uint64_t mib = 1024 * 1024;
constexpr std::uint64_t min_part_size = 5 * mib;  // S3's minimum for every part but the last
constexpr int max_parts = 10000;

constexpr const char* usage_text =
    "usage: upload_worker --endpoint URL --region REGION [--multipart-threshold BYTES]\n"
    "                     [--part-size BYTES] [--expires SECONDS] s3://bucket/key FILE\n";

// ---------------------------------------------------------------------------------------------
// Progress on stderr: on a terminal one line rewritten in place (at most ~10 times a second);
// otherwise (a log file, a pipe) plain lines, one per finished part or upload.

bool stderr_is_terminal() {
#if defined(_WIN32)
  return false;
#else
  return ::isatty(STDERR_FILENO) == 1;
#endif
}

class progress {
 public:
  explicit progress(std::uint64_t total) : total_(total), start_(std::chrono::steady_clock::now()) {}
  void advance_to(std::uint64_t done) {
    done_ = done;
    if (!terminal_) return;
    const auto now = std::chrono::steady_clock::now();
    if (done_ < total_ && now - last_ < 100ms) return;
    last_ = now;
    const double secs = std::chrono::duration<double>(now - start_).count();
    const double pct = total_ ? 100.0 * static_cast<double>(done_) / static_cast<double>(total_) : 100.0;
    fmt::print(stderr, "\rupload: {:.1f} / {:.1f} MiB ({:5.1f}%), {:.1f} MiB/s   ", static_cast<double>(done_) / mib,
               static_cast<double>(total_) / mib, pct, secs > 0 ? static_cast<double>(done_) / mib / secs : 0.0);
  }
  // A finished part, as a plain line when stderr is not a terminal.
  void part_done(int n, int of) {
    if (!terminal_) fmt::print(stderr, "upload: part {}/{} done\n", n, of);
  }
  void finish() {
    if (terminal_) fmt::print(stderr, "\n");
    else fmt::print(stderr, "upload: {} bytes sent\n", done_);
  }

 private:
  std::uint64_t total_, done_ = 0;
  std::chrono::steady_clock::time_point start_, last_{};
  bool terminal_ = stderr_is_terminal();
};

// SIGINT and SIGTERM: the transfer stops at its next callback (libcurl calls the progress one
// about once a second even while it only waits for an answer) and the upload is aborted.
std::atomic<bool> stop_requested{false};
extern "C" void request_stop(int) { stop_requested.store(true); }

int stop_if_requested(void*, curl_off_t, curl_off_t, curl_off_t, curl_off_t) { return stop_requested.load() ? 1 : 0; }

bool stderr_terminal = false;  // set in main: the abort's report ends the progress line first

// ---------------------------------------------------------------------------------------------
// HTTP through libcurl

struct file_closer {
  void operator()(std::FILE* f) const { std::fclose(f); }
};
using file_ptr = std::unique_ptr<std::FILE, file_closer>;

struct http_response {
  long status = 0;
  std::string body;
  std::optional<std::string> etag;
};

// What a PUT sends: `length` bytes of `file` from its current position.
struct upload_source {
  std::FILE* file = nullptr;
  std::uint64_t remaining = 0;
  std::uint64_t base = 0;  // bytes of the whole upload before this request
  std::uint64_t sent = 0;
  progress* bar = nullptr;
};

std::size_t read_source(char* buffer, std::size_t size, std::size_t n, void* user) {
  auto* s = static_cast<upload_source*>(user);
  if (stop_requested.load()) return CURL_READFUNC_ABORT;
  const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(size * n, s->remaining));
  const std::size_t got = want ? std::fread(buffer, 1, want, s->file) : 0;
  if (got < want) return CURL_READFUNC_ABORT;  // the file shrank or cannot be read
  s->remaining -= got;
  s->sent += got;
  if (s->bar) s->bar->advance_to(s->base + s->sent);
  return got;
}

std::size_t collect_body(char* data, std::size_t size, std::size_t n, void* user) {
  auto* body = static_cast<std::string*>(user);
  if (body->size() < 1 * mib) body->append(data, size * n);  // answers here are small XML
  return size * n;
}

std::size_t collect_etag(char* data, std::size_t size, std::size_t n, void* user) {
  std::string_view line(data, size * n);
  constexpr std::string_view name = "etag:";
  if (line.size() > name.size()) {
    bool match = true;
    for (std::size_t i = 0; i < name.size() && match; ++i)
      match = std::tolower(static_cast<unsigned char>(line[i])) == name[i];
    if (match) {
      line.remove_prefix(name.size());
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      while (!line.empty() && (line.back() == '\r' || line.back() == '\n' || line.back() == ' ')) line.remove_suffix(1);
      static_cast<http_response*>(user)->etag = std::string(line);
    }
  }
  return size * n;
}

// Whether a request stops when SIGINT or SIGTERM came: every one but the abort itself.
enum class on_signal { stop, finish };

// PUT with a body from `source`, or POST with `post_body` (source == nullptr), or DELETE.
http_response request(const std::string& method, const std::string& url, upload_source* source,
                      const std::string& post_body = {}, const char* content_type = nullptr,
                      on_signal signals = on_signal::stop) {
  std::unique_ptr<CURL, void (*)(CURL*)> h(curl_easy_init(), curl_easy_cleanup);
  if (!h) throw std::runtime_error("curl_easy_init failed");
  http_response r;
  curl_slist* headers = curl_slist_append(nullptr, "Expect:");  // no 100-continue round trip
  headers = curl_slist_append(headers, content_type ? (std::string("Content-Type: ") + content_type).c_str()
                                                    : "Content-Type:");  // nor curl's form default
  std::unique_ptr<curl_slist, void (*)(curl_slist*)> header_list(headers, curl_slist_free_all);
  CURL* c = h.get();
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);  // keys are sent as signed: "//" and ".." too
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);  // give up on a transfer stalled for 60 s
  curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect_etag);
  curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
  if (signals == on_signal::stop) {
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, stop_if_requested);
  }
  if (source != nullptr) {
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);  // PUT
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_source);
    curl_easy_setopt(c, CURLOPT_READDATA, source);
    curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(source->remaining));
  } else {
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method.c_str());
    if (method == "POST") {
      curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(post_body.size()));
      curl_easy_setopt(c, CURLOPT_POSTFIELDS, post_body.data());
    }
  }
  const CURLcode rc = curl_easy_perform(c);
  if (rc != CURLE_OK && stop_requested.load() && signals == on_signal::stop)
    throw std::runtime_error("stopped by a signal");
  if (rc != CURLE_OK) {
    // Never print the URL's query: it is a credential until it expires.
    throw std::runtime_error(method + " " + url.substr(0, url.find('?')) + ": " + curl_easy_strerror(rc));
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

// "what answered HTTP 403 AccessDenied": the Code of an S3 <Error> answer, when there is one.
std::string failure(std::string_view what, const http_response& r) {
  std::string code;
  try {
    if (const auto e = sigv4::s3::parse_s3_error(r.body)) code = e->code;
  } catch (const sigv4::error&) {
    code = "(a malformed error answer)";
  }
  return fmt::format("{} answered HTTP {}{}{}", what, r.status, code.empty() ? "" : " ", code);
}

// ---------------------------------------------------------------------------------------------
// The upload

struct options {
  std::string endpoint;
  std::string region = "us-east-1";
  std::uint64_t threshold = 64 * mib;
  std::uint64_t part_size = 8 * mib;
  std::chrono::seconds expires = 15min;
  std::string bucket, key, file;
};

std::uint64_t parse_bytes(const std::string& flag, const std::string& v) {
  std::size_t used = 0;
  unsigned long long n = 0;
  try {
    n = std::stoull(v, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != v.size()) throw usage_error(flag + " wants a number of bytes, got " + v);
  return n;
}

options parse_args(int argc, char** argv) {
  options o;
  std::vector<std::string> positional;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      fmt::print("{}", usage_text);
      std::exit(0);
    }
    if (a.rfind("--", 0) != 0) {
      positional.push_back(a);
      continue;
    }
    if (i + 1 >= argc) throw usage_error(a + " needs a value");
    const std::string v = argv[++i];
    if (a == "--endpoint") o.endpoint = v;
    else if (a == "--region") o.region = v;
    else if (a == "--multipart-threshold") o.threshold = parse_bytes(a, v);
    else if (a == "--part-size") o.part_size = parse_bytes(a, v);
    else if (a == "--expires") o.expires = std::chrono::seconds(parse_bytes(a, v));
    else throw usage_error("unknown option " + a);
  }
  if (o.endpoint.empty()) throw usage_error("--endpoint is required");
  if (positional.size() != 2) throw usage_error("want s3://bucket/key and FILE");
  const std::string& target = positional[0];
  const std::size_t slash = target.find('/', 5);
  if (target.rfind("s3://", 0) != 0 || slash == std::string::npos || slash + 1 >= target.size())
    throw usage_error("the target must look like s3://bucket/key, got " + target);
  o.bucket = target.substr(5, slash - 5);
  o.key = target.substr(slash + 1);
  o.file = positional[1];
  if (o.part_size < min_part_size) {
    fmt::print(stderr, "upload_worker: part size raised to the minimum of 5 MiB\n");
    o.part_size = min_part_size;
  }
  return o;
}

void single_put(const sigv4::s3::presigner& ps, const options& o, std::FILE* f, std::uint64_t size) {
  progress bar(size);
  upload_source src{f, size, 0, 0, &bar};
  const auto r = request("PUT", ps.presign_put(o.bucket, o.key, o.expires, sigv4::clock::now()), &src);
  bar.finish();
  if (r.status != 200) throw std::runtime_error(failure("PutObject", r));
}

void multipart(const sigv4::s3::presigner& ps, const options& o, std::FILE* f, std::uint64_t size) {
  // Few enough parts for S3's limit of 10000: a larger file gets larger parts.
  std::uint64_t part_size = std::max(o.part_size, (size + max_parts - 1) / max_parts);
  const auto created =
      request("POST", ps.presign_create_multipart_upload(o.bucket, o.key, o.expires, sigv4::clock::now()), nullptr);
  if (created.status != 200) throw std::runtime_error(failure("CreateMultipartUpload", created));
  const std::string upload_id = sigv4::s3::parse_upload_id(created.body);
  fmt::print(stderr, "upload_worker: multipart upload {} started\n", upload_id);
  const int part_count = static_cast<int>((size + part_size - 1) / part_size);

  try {
    progress bar(size);
    std::vector<sigv4::s3::completed_part> parts;
    std::uint64_t offset = 0;
    for (int n = 1; offset < size; ++n) {
      const std::uint64_t len = std::min(part_size, size - offset);
      http_response r;
      for (int attempt = 1;; ++attempt) {  // a part may be sent again; its URL is made anew
        if (stop_requested.load()) throw std::runtime_error("stopped by a signal");
        if (std::fseek(f, static_cast<long>(offset), SEEK_SET) != 0) throw std::runtime_error("cannot seek in the file");
        upload_source src{f, len, offset, 0, &bar};
        bool sent = true;
        try {
          r = request("PUT", ps.presign_upload_part(o.bucket, o.key, upload_id, n, o.expires, sigv4::clock::now()),
                      &src);
        } catch (const std::runtime_error&) {
          if (attempt == 3 || stop_requested.load()) throw;
          sent = false;
        }
        if (sent && (r.status < 500 || attempt == 3)) break;
        std::this_thread::sleep_for(500ms * (1 << (attempt - 1)));  // back off: 0.5 s, then 1 s
      }
      if (r.status != 200 || !r.etag) throw std::runtime_error(failure(fmt::format("UploadPart {}", n), r));
      parts.push_back({n, *r.etag});
      bar.part_done(n, part_count);
      offset += len;
    }
    bar.finish();
    const auto done =
        request("POST", ps.presign_complete_multipart_upload(o.bucket, o.key, upload_id, o.expires, sigv4::clock::now()),
                nullptr, sigv4::s3::complete_multipart_body(parts), "application/xml");
    // S3 may answer 200 and still report an error in the body.
    if (done.status != 200 || sigv4::s3::parse_s3_error(done.body))
      throw std::runtime_error(failure("CompleteMultipartUpload", done));
  } catch (...) {
    try {
      const auto r = request(
          "DELETE", ps.presign_abort_multipart_upload(o.bucket, o.key, upload_id, o.expires, sigv4::clock::now()),
          nullptr, {}, nullptr, on_signal::finish);
      fmt::print(stderr, "{}upload_worker: aborted the multipart upload (HTTP {})\n", stderr_terminal ? "\n" : "",
                 r.status);
    } catch (const std::exception& e) {
      fmt::print(stderr, "{}upload_worker: could not abort the multipart upload: {}\n", stderr_terminal ? "\n" : "",
                 e.what());
    }
    throw;
  }
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const options o = parse_args(argc, argv);
    const sigv4::s3::presigner ps(o.endpoint, o.region, sigv4::default_credentials(),
                                  sigv4::s3::addressing_style::path);
    sigv4::s3::check_bucket_name(o.bucket);
    sigv4::s3::check_object_key(o.key);

    file_ptr f(std::fopen(o.file.c_str(), "rb"));
    if (!f) throw std::runtime_error("cannot open " + o.file);
    if (std::fseek(f.get(), 0, SEEK_END) != 0) throw std::runtime_error("cannot seek in " + o.file);
    const long end = std::ftell(f.get());
    if (end < 0) throw std::runtime_error("cannot size " + o.file);
    std::rewind(f.get());
    const auto size = static_cast<std::uint64_t>(end);

    curl_global_init(CURL_GLOBAL_DEFAULT);
    stderr_terminal = stderr_is_terminal();
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    const auto t0 = std::chrono::steady_clock::now();
    const bool parts = size > 0 && size >= o.threshold;
    if (parts) multipart(ps, o, f.get(), size);
    else single_put(ps, o, f.get(), size);
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    fmt::print(stderr, "upload_worker: s3://{}/{}: {} bytes by {} in {:.2f} s\n", o.bucket, o.key, size,
               parts ? "multipart upload" : "single PUT", secs);
    curl_global_cleanup();
    return 0;
  } catch (const usage_error& e) {
    fmt::print(stderr, "upload_worker: {}\n{}", e.what(), usage_text);
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "upload_worker: {}\n", e.what());
    return 1;
  }
}
