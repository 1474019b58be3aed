// download_service — the download endpoint of the seeds' API, as a small HTTP service:
//
//   GET /api/v1/results/{job_id}/download
//   Authorization: Bearer <token>
//
// answers 302 with a 15-minute presigned GET for s3://<bucket>/jobs/job-<id>/result.tif, after
//   - 401 when the bearer token is missing or unknown,
//   - 403 when the caller is outside the CIDR allowlist (if one is given; IPv4 and IPv6),
//   - 404 when no such job is known (a malformed id included),
//   - 403 when the token is not granted that job.
// The service never talks to the object store: presigning is local (HMAC over the URL), so it
// needs the credentials and the public endpoint, nothing else.
//
//   download_service --listen 127.0.0.1:8080 --bucket geocrop-results
//       --public-endpoint https://files.geocrop.example --region us-east-1
//       --grant TOKEN=123,124 [--grant ...] [--grants-file PATH] [--job ID ...]
//       [--allow-cidr 10.0.0.0/8 ...] [--expires SECONDS]
//
// --listen with port 0 picks a free port; the first stdout line says which
// ("listening on http://HOST:PORT"; an IPv6 HOST, e.g. of --listen [::1]:0, in brackets).
// Known jobs are those of the grants plus any --job.
//
// Credentials (sigv4/credential_provider.hpp), followed while the service runs: with
// --credentials-dir DIR, a mounted secret directory (files AWS_ACCESS_KEY_ID,
// AWS_SECRET_ACCESS_KEY, optional AWS_SESSION_TOKEN and AWS_CREDENTIAL_EXPIRATION, replaced by
// the kubelet's ..data symlink swap); else the environment (*_FILE secrets too) when it names
// credentials, else the shared credentials file. A maintenance thread of the service looks at
// the files every --check-every seconds (default 10) and swaps new credentials into the
// presigner (s3::presigner::set_credentials), logging "credentials-rotated access_key_id=..."
// (the key id is public; the secret is never written); a file it cannot use keeps the old
// credentials and is logged once ("credentials-problem ...", on stderr).
//
// With --sts-endpoint URL, links are signed with temporary credentials from STS instead
// (GetSessionToken, or AssumeRole with --sts-role-arn), for --sts-duration seconds (default
// 3600), asked for again --refresh-before seconds (default: the link lifetime + 300) before they
// expire (sigv4/refresh.hpp: the service makes the HTTP call, the library says when and reads
// the answer), so that a link never has to be refused because its credentials would die first.
// A grants file holds one `TOKEN=JOB_ID,JOB_ID` per line; blank lines and '#' comments are skipped.
//
// One audit line per link on stdout: time, client address, a fingerprint of the token (never the
// token), the object and when the link expires; never the URL's query, which is a credential.
// One line per refusal too ("refused status=401|403|404 client=... token=sha256:...|none
// job=... reason=\"...\""), which never echoes an unknown token or a malformed job id.
//
// With --service-url, the service also has an upload page (upload_page.hpp): GET /upload, whose
// form API (POST /api/v1/uploads/{job_id}/form) makes the same checks and answers a presigned
// POST form for uploads/job-<id>/ (one "form-issued" audit line each).
#include <sigv4/cidr.hpp>
#include <sigv4/credential_provider.hpp>
#include <sigv4/refresh.hpp>
#include <sigv4/s3.hpp>
#include <sigv4/sts.hpp>

#include "upload_page.hpp"

#include <fmt/core.h>
#include <httplib.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace {

using namespace std::chrono_literals;

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// ---------------------------------------------------------------------------------------------
// The network allowlist: sigv4's CIDR set (sigv4/cidr.hpp), IPv4 and IPv6 alike

sigv4::policy::cidr_block parse_allow_cidr(std::string_view text) {
  try {
    return sigv4::policy::parse_cidr(text);  // strict: "10.0.0.1/8" (host bits set) is refused
  } catch (const sigv4::error& e) {
    throw usage_error(std::string("--allow-cidr: ") + e.what());
  }
}

// The caller's address as the socket gives it ("192.0.2.7", "2001:db8::7"; an IPv4-mapped
// "::ffff:192.0.2.7" is the IPv4 address); nullopt when it does not parse (a zone index, say),
// which no allowlist admits.
std::optional<sigv4::policy::ip_address> client_address(std::string_view remote) {
  std::error_code ec;
  const sigv4::policy::ip_address a = sigv4::policy::parse_ip_address(remote, ec);
  if (ec) return std::nullopt;
  return a;
}

// ---------------------------------------------------------------------------------------------
// Permissions

struct grant {
  std::string token;
  std::set<std::string> jobs;
};

// Job ids become part of an object key, so only a plain shape is accepted: no '/', no "..".
bool valid_job_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' || c == '_'))
      return false;
  return true;
}

grant parse_grant(std::string_view text) {
  const std::size_t eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) throw usage_error("a grant must look like TOKEN=JOB_ID,JOB_ID");
  grant g{std::string(text.substr(0, eq)), {}};
  for (char c : g.token)
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) throw usage_error("a token holds whitespace or controls");
  std::string_view jobs = text.substr(eq + 1);
  while (!jobs.empty()) {
    const std::size_t comma = jobs.find(',');
    const std::string_view job = jobs.substr(0, comma);
    if (!valid_job_id(job)) throw usage_error("a grant names a malformed job id: '" + std::string(job) + "'");
    g.jobs.emplace(job);
    jobs.remove_prefix(comma == std::string_view::npos ? jobs.size() : comma + 1);
  }
  return g;
}

std::vector<grant> read_grants_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw usage_error("--grants-file: cannot read " + path);
  std::vector<grant> out;
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    out.push_back(parse_grant(line));
  }
  return out;
}

// Compares without an early exit, so the time taken does not tell how much of a token matched
// (only whether the lengths differ).
bool same_secret(std::string_view given, std::string_view expected) {
  if (expected.empty()) return false;
  unsigned diff = given.size() != expected.size() ? 1u : 0u;
  for (std::size_t i = 0; i < given.size(); ++i)
    diff |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  return diff == 0;
}

// ---------------------------------------------------------------------------------------------
// The service

struct options {
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string bucket;
  std::string public_endpoint;
  std::string region = "us-east-1";
  std::vector<grant> grants;
  std::set<std::string> extra_jobs;
  std::vector<sigv4::policy::cidr_block> allow;
  std::chrono::seconds expires = 15min;
  upload_page::settings upload;
  std::string credentials_dir;
  std::chrono::seconds check_every = 10s;
  std::string sts_endpoint;
  std::string sts_role_arn;
  std::chrono::seconds sts_duration = 3600s;
  std::optional<std::chrono::seconds> refresh_before;
};

constexpr const char* usage_text =
    "usage: download_service --listen HOST:PORT --bucket BUCKET --public-endpoint URL --region REGION\n"
    "                        [--grant TOKEN=JOB_ID,...]... [--grants-file PATH] [--job JOB_ID]...\n"
    "                        [--allow-cidr CIDR]... [--expires SECONDS]\n"
    "                        [--service-url URL [--upload-max-bytes N] [--upload-expires SECONDS]]\n"
    "                        [--credentials-dir DIR] [--check-every SECONDS]\n"
    "                        [--sts-endpoint URL [--sts-role-arn ARN] [--sts-duration SECONDS]\n"
    "                         [--refresh-before SECONDS]]\n";

// A whole number of seconds in [low, high], or a usage error naming the option.
std::chrono::seconds seconds_option(std::string_view name, const std::string& v, long long low, long long high) {
  long long s = 0;
  try {
    s = std::stoll(v);
  } catch (const std::exception&) {
    s = low - 1;
  }
  if (s < low || s > high)
    throw usage_error(fmt::format("{}: {} to {} seconds", name, low, high));
  return std::chrono::seconds(s);
}

options parse_args(int argc, char** argv) {
  options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--help" || a == "-h") {
      fmt::print("{}", usage_text);
      std::exit(0);
    }
    if (i + 1 >= argc) throw usage_error(std::string(a) + " needs a value");
    const std::string v = argv[++i];
    if (a == "--listen") {
      const std::size_t colon = v.rfind(':');
      if (colon == std::string::npos) throw usage_error("--listen wants HOST:PORT");
      o.host = v.substr(0, colon);
      if (o.host.size() > 2 && o.host.front() == '[' && o.host.back() == ']') o.host = o.host.substr(1, o.host.size() - 2);
      try {
        o.port = std::stoi(v.substr(colon + 1));
      } catch (const std::exception&) {
        o.port = -1;
      }
      if (o.port < 0 || o.port > 65535) throw usage_error("--listen: bad port in " + v);
    } else if (a == "--bucket") {
      o.bucket = v;
    } else if (a == "--public-endpoint") {
      o.public_endpoint = v;
    } else if (a == "--region") {
      o.region = v;
    } else if (a == "--grant") {
      o.grants.push_back(parse_grant(v));
    } else if (a == "--grants-file") {
      for (auto& g : read_grants_file(v)) o.grants.push_back(std::move(g));
    } else if (a == "--job") {
      if (!valid_job_id(v)) throw usage_error("--job: malformed job id " + v);
      o.extra_jobs.insert(v);
    } else if (a == "--allow-cidr") {
      o.allow.push_back(parse_allow_cidr(v));
    } else if (a == "--expires") {
      o.expires = seconds_option(a, v, 1, 604800);
    } else if (a == "--credentials-dir") {
      o.credentials_dir = v;
    } else if (a == "--check-every") {
      o.check_every = seconds_option(a, v, 1, 86400);
    } else if (a == "--sts-endpoint") {
      o.sts_endpoint = v;
    } else if (a == "--sts-role-arn") {
      o.sts_role_arn = v;
    } else if (a == "--sts-duration") {
      o.sts_duration = seconds_option(a, v, 900, 129600);
    } else if (a == "--refresh-before") {
      o.refresh_before = seconds_option(a, v, 1, 129600);
    } else if (upload_page::parse_option<usage_error>(a, v, o.upload)) {
    } else {
      throw usage_error("unknown option " + std::string(a));
    }
  }
  if (o.bucket.empty() || o.public_endpoint.empty()) throw usage_error("--bucket and --public-endpoint are required");
  if (!o.sts_endpoint.empty() && o.refresh_before.value_or(o.expires + 300s) >= o.sts_duration)
    throw usage_error("--refresh-before (default: --expires + 300) must be shorter than --sts-duration");
  return o;
}

// The credentials' source: the secret directory, else the environment when it names
// credentials, else the shared credentials file.
std::unique_ptr<sigv4::credential_provider> make_provider(const options& o) {
  const sigv4::provider_options po{o.check_every};
  if (!o.credentials_dir.empty())
    return std::make_unique<sigv4::credential_provider>(sigv4::from_secret_dir{o.credentials_dir, {}}, po);
  for (const char* v : {"AWS_ACCESS_KEY_ID", "MINIO_ROOT_USER", "MINIO_ACCESS_KEY"})
    if (sigv4::process_env(v) || sigv4::process_env(std::string(v) + "_FILE"))
      return std::make_unique<sigv4::credential_provider>(sigv4::from_environment{}, po);
  return std::make_unique<sigv4::credential_provider>(sigv4::from_shared_file{}, po);
}

void send_error(httplib::Response& res, int status, std::string_view message) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  res.set_content(fmt::format("{{\"error\":\"{}\"}}\n", message), "application/json");
}

class service {
 public:
  // The presigner is built for the PUBLIC endpoint, the host name clients will fetch from. The
  // Host header is part of every signature: a URL signed for an internal name (say
  // http://minio.geocrop.svc.cluster.local:9000, what this service might use to reach the store
  // itself) would be refused with SignatureDoesNotMatch when fetched through the public name, and
  // that internal name does not even resolve outside the cluster. Keep the two distinct.
  service(options o, std::unique_ptr<sigv4::credential_provider> provider)
      : opt_(std::move(o)),
        provider_(std::move(provider)),
        presigner_(opt_.public_endpoint, opt_.region, provider_->current(), sigv4::s3::addressing_style::path),
        refresher_({opt_.refresh_before.value_or(opt_.expires + 300s), 30s}) {
    sigv4::s3::check_bucket_name(opt_.bucket);
    for (const auto& g : opt_.grants) known_.insert(g.jobs.begin(), g.jobs.end());
    known_.insert(opt_.extra_jobs.begin(), opt_.extra_jobs.end());
    allow_ = sigv4::policy::cidr_set(opt_.allow);
  }

  void download(const httplib::Request& req, httplib::Response& res) const {
    const std::string job = req.matches[1];
    const std::string client = req.remote_addr;
    const grant* who = nullptr;
    check_access(req, res, job, who);
    if (who == nullptr) return;

    const std::string key = "jobs/job-" + job + "/result.tif";
    const sigv4::time_point now = sigv4::clock::now();
    std::string url;
    try {
      url = presigner_.presign_get(opt_.bucket, key, opt_.expires, now);
    } catch (const sigv4::error& e) {  // e.g. temporary credentials about to expire
      fmt::print(stderr, "download_service: cannot presign s3://{}/{}: {}\n", opt_.bucket, key, e.what());
      return send_error(res, 503, "cannot issue a link right now");
    }
    audit("link-issued", client, who->token, key, now + opt_.expires);
    res.status = 302;
    res.set_header("Location", url);
    // The URL is a bearer credential for 15 minutes: keep it out of caches and Referer headers.
    res.set_header("Cache-Control", "no-store");
    res.set_header("Referrer-Policy", "no-referrer");
    res.set_content("", "text/plain");
  }

  // POST /api/v1/uploads/{job_id}/form (upload_page.hpp): the checks of a download, then a
  // presigned POST form for uploads/job-<id>/.
  void upload_form(const httplib::Request& req, httplib::Response& res) const {
    const std::string job = req.matches[1];
    const grant* who = nullptr;
    check_access(req, res, job, who);
    if (who == nullptr) return;

    const std::string prefix = upload_page::key_prefix(job);
    const sigv4::time_point now = sigv4::clock::now();
    sigv4::s3::post_form form;
    try {
      form = upload_page::make_form(presigner_, opt_.bucket, job, opt_.upload, now);
    } catch (const sigv4::error& e) {
      fmt::print(stderr, "download_service: cannot make a form for s3://{}/{}: {}\n", opt_.bucket, prefix, e.what());
      return send_error(res, 503, "cannot issue an upload form right now");
    }
    audit("form-issued", req.remote_addr, who->token, prefix, now + opt_.upload.expires);
    res.set_header("Cache-Control", "no-store");
    res.set_content(upload_page::form_json(form, job, opt_.upload, now + opt_.upload.expires), "application/json");
  }

  const options& settings() const { return opt_; }

  // Called by the maintenance thread (and once before serving): follows the credential source
  // and, with STS, refreshes the temporary credentials when they are due. Returns false when
  // STS gave no credentials and none are held (at start: the service cannot run).
  bool maintain() {
    const auto polled = provider_->poll(std::chrono::steady_clock::now());
    if (polled.problem) log_stderr("credentials-problem " + *polled.problem);
    if (polled.changed) {
      const sigv4::credentials fresh = provider_->current();
      if (opt_.sts_endpoint.empty()) presigner_.set_credentials(fresh);
      log_event("credentials-rotated access_key_id=" + fresh.access_key_id());
    }
    if (opt_.sts_endpoint.empty()) return true;
    const sigv4::time_point now = sigv4::clock::now();
    if (refresher_.begin_refresh(now)) refresh_from_sts(now);
    return refresher_.current().has_value();
  }

 private:
  // One STS call with the base credentials; the answer goes to the refresher and, accepted,
  // into the presigner. The answer holds a secret: it is wiped after.
  void refresh_from_sts(sigv4::time_point now) {
    const sigv4::credentials base = provider_->current();
    sigv4::sts::form_request f;
    try {
      if (opt_.sts_role_arn.empty()) {
        f = sigv4::sts::get_session_token(opt_.sts_endpoint, opt_.region, base, opt_.sts_duration, now);
      } else {
        sigv4::sts::assume_role_params p;
        p.role_arn = opt_.sts_role_arn;
        p.role_session_name = "download-service";
        p.duration = opt_.sts_duration;
        f = sigv4::sts::assume_role(opt_.sts_endpoint, opt_.region, base, p, now);
      }
    } catch (const sigv4::error& e) {
      refresher_.refresh_failed(now);
      return log_stderr(std::string("sts-refresh-failed ") + e.what());
    }
    const sigv4::s3::endpoint ep = sigv4::s3::parse_endpoint(opt_.sts_endpoint);
    httplib::Client client(std::string(ep.https ? "https://" : "http://") + ep.authority());
    client.set_connection_timeout(5);
    client.set_read_timeout(10);
    httplib::Headers headers;
    std::string content_type;
    for (const auto& h : f.request.headers) {
      if (sigv4::detail::iequals(h.name, "content-type")) content_type = h.value;
      else if (!sigv4::detail::iequals(h.name, "host")) headers.emplace(h.name, h.value);
    }
    auto res = client.Post("/", headers, f.body, content_type);
    if (!res) {
      refresher_.refresh_failed(now);
      return log_stderr("sts-refresh-failed no answer: " + httplib::to_string(res.error()));
    }
    // an error answer is refused by the parser too, which quotes its Code and Message
    const sigv4::refresh_result r = res->status == 200 ? refresher_.accept_answer_into(presigner_, res->body, now)
                                                       : refresher_.accept_answer(res->body, now);
    sigv4::detail::wipe_string(res->body);
    if (!r.accepted) return log_stderr("sts-refresh-failed status=" + std::to_string(res->status) + " " + r.problem.value_or(""));
    const auto c = refresher_.current();
    log_event("credentials-refreshed access_key_id=" + c->access_key_id() +
              " expires=" + sigv4::format_amz_date(*c->expiration()).to_string());
  }

  void log_event(const std::string& what) const {
    const std::lock_guard<std::mutex> lock(audit_mutex_);
    fmt::print("{} {}\n", sigv4::format_amz_date(sigv4::clock::now()).str(), what);
    std::fflush(stdout);
  }
  static void log_stderr(const std::string& what) {
    fmt::print(stderr, "{} download_service: {}\n", sigv4::format_amz_date(sigv4::clock::now()).str(), what);
  }

  // The checks of every API call about a job, in order. `who` is the caller's grant when every
  // check passes; it stays nullptr when `res` holds the refusal.
  void check_access(const httplib::Request& req, httplib::Response& res, const std::string& job,
                    const grant*& who) const {
    const std::string client = req.remote_addr;

    // 1. Who: the bearer token.
    const grant* const caller = authenticate(req.get_header_value("Authorization"));
    if (caller == nullptr) {
      res.set_header("WWW-Authenticate", "Bearer");
      return refuse(res, 401, "missing or unknown bearer token", client, nullptr, job);
    }
    // 2. From where: the socket's address, IPv4 or IPv6. (Behind a reverse proxy this is the
    //    proxy; trusting X-Forwarded-For would need the list of proxies allowed to set it.)
    if (!opt_.allow.empty()) {
      const auto ip = client_address(client);
      if (!ip || !allow_.contains(*ip)) return refuse(res, 403, "caller outside the allowed networks", client, caller, job);
    }
    // 3. What: a known job, granted to this token.
    if (!valid_job_id(job) || known_.count(job) == 0) return refuse(res, 404, "no such job", client, caller, job);
    if (caller->jobs.count(job) == 0) return refuse(res, 403, "this token has no access to that job", client, caller, job);
    who = caller;
  }

  const grant* authenticate(const std::string& authorization) const {
    constexpr std::string_view scheme = "bearer ";
    if (authorization.size() <= scheme.size()) return nullptr;
    for (std::size_t i = 0; i < scheme.size(); ++i)
      if (std::tolower(static_cast<unsigned char>(authorization[i])) != scheme[i]) return nullptr;
    std::string_view token(authorization);
    token.remove_prefix(scheme.size());
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    const grant* found = nullptr;
    for (const auto& g : opt_.grants)  // every entry is compared, match or not
      if (same_secret(token, g.token) && found == nullptr) found = &g;
    return found;
  }

  // Answers a refusal and logs it as links are logged: one "refused" line with the status, the
  // client, the token's fingerprint (when the token is known; an unknown one is never echoed),
  // the job id (when well-formed; otherwise the caller's text is not written) and the reason.
  void refuse(httplib::Response& res, int status, std::string_view why, const std::string& client,
              const grant* caller, const std::string& job) const {
    const std::string who = caller ? "sha256:" + fingerprint(caller->token) : "none";
    {
      const std::lock_guard<std::mutex> lock(audit_mutex_);
      fmt::print("{} refused status={} client={} token={} job={} reason=\"{}\"\n",
                 sigv4::format_amz_date(sigv4::clock::now()).str(), status, client, who,
                 valid_job_id(job) ? job : std::string("<malformed>"), why);
      std::fflush(stdout);
    }
    send_error(res, status, why);
  }

  // A fingerprint names the token without revealing it: the first 12 hex digits of its SHA-256.
  static std::string fingerprint(const std::string& token) {
    return std::string(sigv4::payload_hash::of(token).value().substr(0, 12));
  }

  void audit(std::string_view event, const std::string& client, const std::string& token, const std::string& key,
             sigv4::time_point until) const {
    const std::lock_guard<std::mutex> lock(audit_mutex_);
    fmt::print("{} {} client={} token=sha256:{} object=s3://{}/{} expires={}\n",
               sigv4::format_amz_date(sigv4::clock::now()).str(), event, client, fingerprint(token), opt_.bucket, key,
               sigv4::format_amz_date(until).str());
    std::fflush(stdout);
  }

  options opt_;
  std::unique_ptr<sigv4::credential_provider> provider_;
  sigv4::s3::presigner presigner_;
  sigv4::refreshing_credentials refresher_;
  std::set<std::string> known_;
  sigv4::policy::cidr_set allow_;
  mutable std::mutex audit_mutex_;
};

}  // namespace

int main(int argc, char** argv) {
  try {
    options opt = parse_args(argc, argv);
    const std::string host = opt.host;
    const int wanted_port = opt.port;
    auto provider = make_provider(opt);  // the first read: throws when there are no credentials
    service svc(std::move(opt), std::move(provider));
    if (!svc.maintain()) {
      fmt::print(stderr, "download_service: no temporary credentials from STS\n");
      return 1;
    }
    // The maintenance thread: the credential source and the STS schedule, once a second.
    std::atomic<bool> stopping{false};
    std::mutex stop_mutex;
    std::condition_variable stop_cv;
    std::thread maintenance([&] {
      std::unique_lock<std::mutex> lock(stop_mutex);
      while (!stop_cv.wait_for(lock, 1s, [&] { return stopping.load(); })) {
        lock.unlock();
        svc.maintain();
        lock.lock();
      }
    });
    const auto stop_maintenance = [&] {
      {
        const std::lock_guard<std::mutex> lock(stop_mutex);
        stopping = true;
      }
      stop_cv.notify_all();
      maintenance.join();
    };

    httplib::Server server;
    // Each answer is written in two sends (head, then body): without TCP_NODELAY the body
    // waits for the client's delayed ACK, up to 40 ms an answer on Linux.
    server.set_tcp_nodelay(true);
    server.Get(R"(/api/v1/results/([^/]+)/download)",
               [&svc](const httplib::Request& req, httplib::Response& res) { svc.download(req, res); });
    if (!svc.settings().upload.service_url.empty())
      upload_page::add_routes(server, svc, svc.settings().bucket, svc.settings().public_endpoint);
    server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (res.body.empty()) res.set_content(fmt::format("{{\"status\":{}}}\n", res.status), "application/json");
    });

    int port = wanted_port;
    if (wanted_port == 0) {
      port = server.bind_to_any_port(host);
    } else if (!server.bind_to_port(host, wanted_port)) {
      port = -1;
    }
    if (port <= 0) {
      fmt::print(stderr, "download_service: cannot listen on {}:{}\n", host, wanted_port);
      stop_maintenance();
      return 1;
    }
    const bool v6 = host.find(':') != std::string::npos;
    fmt::print("listening on http://{}{}{}:{}\n", v6 ? "[" : "", host, v6 ? "]" : "", port);
    std::fflush(stdout);
    const bool ok = server.listen_after_bind();
    stop_maintenance();
    return ok ? 0 : 1;
  } catch (const usage_error& e) {
    fmt::print(stderr, "download_service: {}\n{}", e.what(), usage_text);
    return 2;
  } catch (const std::exception& e) {
    fmt::print(stderr, "download_service: {}\n", e.what());
    return 1;
  }
}
