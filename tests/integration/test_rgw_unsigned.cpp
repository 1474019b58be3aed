// Unsigned x-amz-* headers on a live Ceph RADOS Gateway (tests/integration/rgw.sh start): what
// a holder of a plain presigned PUT can do by adding headers the URL never signed, what closes
// each hazard, and the library's verifier refusing every such request.
//
// A presigned PUT signs only `host`; the headers a client adds travel outside the signature.
// AWS S3 refuses such a request ("There were headers present in the request which were not
// signed", 403 AccessDenied). MinIO refuses only unsigned x-amz-meta-* on presigned requests:
// checkMetaHeaders in cmd/signature-v4-utils.go (minio/minio 7aac2a2, read with the search
// tool), called from doesPresignedSignatureMatch in cmd/signature-v4.go, answers
// ErrUnsignedHeaders (400 AccessDenied, the same message) for an X-Amz-Meta-* header whose value
// is not the signed one, and looks at no other x-amz-* header. So an unsigned x-amz-copy-source
// passes MinIO's signature check too (the SILO fork's write-up "signed-header coverage",
// SN-2026-011, describes the same copy through upstream MinIO).
//
// Ceph RGW 16 (16.2.15, Debian 12) checks only what SignedHeaders names, and then acts on every
// x-amz-* header it receives. The hazard tests below assert that behaviour. If one of them fails,
// RGW has started refusing unsigned headers: good news, to be recorded here and in README.md
// ("Unsigned headers and servers that ignore them") before the expectation is changed.
//
// What closes the hazards, shown here (RGW 16.2.15):
//   - a gateway in front that verifies with sigv4::verifier: every such request is refused with
//     verify_reason::unsigned_header, naming the header, never its value;
//   - the ACL case: upload URLs that sign `x-amz-acl: private` (s3::presigner_options::
//     upload_acl). RGW refuses them with another value, without the header, or with `private`
//     then `public-read`; with `public-read` then `private` it reads the last value for both the
//     signature and the ACL, so the object stays private;
//   - the copy case: a signing identity that cannot read other objects. Both a separate upload
//     user that owns only the upload bucket and an IAM user policy denying s3:GetObject on the
//     private bucket work. So does a bucket policy on the upload bucket denying s3:PutObject
//     under StringLike s3:x-amz-copy-source "*"; under Null s3:x-amz-copy-source "false"
//     (the same on AWS) RGW 16 does the opposite.
//
// Everything that touches the server is signed by this library (rgw_client.hpp); the checks
// afterwards are header-signed requests by the bucket owner, and anonymous GETs without any
// authentication.

#include <sigv4/sigv4.hpp>
#include <sigv4/verify.hpp>

#include <algorithm>
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../catch.hpp"
#include "rgw_client.hpp"

using namespace rgw_it;

namespace {

using header_list = std::vector<std::pair<std::string, std::string>>;

// The second user of rgw.sh (no caps, no policies), read as rgw_client.hpp reads the first:
// from the environment when SIGV4_RGW_ENDPOINT is set there, else from the fixture's env file.
const sigv4::credentials& upload_creds() {
  static const sigv4::credentials c = [] {
    std::string key, secret;
    if (env("SIGV4_RGW_ENDPOINT")) {
      key = env("SIGV4_RGW_UPLOAD_ACCESS_KEY").value_or("");
      secret = env("SIGV4_RGW_UPLOAD_SECRET_KEY").value_or("");
    } else {
      for (const auto& [k, v] : read_env_file(env_file_path())) {
        if (k == "SIGV4_RGW_UPLOAD_ACCESS_KEY") key = v;
        else if (k == "SIGV4_RGW_UPLOAD_SECRET_KEY") secret = v;
      }
    }
    if (key.empty() || secret.empty())
      throw std::runtime_error("no upload user: need SIGV4_RGW_UPLOAD_ACCESS_KEY and SIGV4_RGW_UPLOAD_SECRET_KEY "
                               "(`bash tests/integration/rgw.sh start` creates the user and writes them)");
    return sigv4::credentials(key, secret);
  }();
  return c;
}

// A request as sent to the server: the verifier below sees exactly the same one.
struct wire_request {
  std::string method;
  std::string url;  // cfg().endpoint + target
  header_list headers;
  std::string body;
};

http_response send(const wire_request& w) { return rgw_it::send(w.method, w.url, w.body, w.headers); }

// The gateway's verifier, knowing both users' keys.
const sigv4::verifier& gateway() {
  static const sigv4::verifier v(
      [](std::string_view id) -> std::optional<sigv4::key_entry> {
        if (id == cfg().access_key) return sigv4::key_entry{sigv4::secret_string(cfg().secret_key), ""};
        if (id == upload_creds().access_key_id())
          return sigv4::key_entry{sigv4::secret_string(upload_creds().secret_access_key()), ""};
        return std::nullopt;
      },
      [] {
        sigv4::verify_options o;
        o.regions = {cfg().region};
        return o;
      }());
  return v;
}

// What the verifier says about the request exactly as it went to the server: the same method,
// the target as sent, Host as libcurl sends it, and the same headers.
sigv4::verify_result verify(const wire_request& w) {
  REQUIRE(w.url.compare(0, cfg().endpoint.size(), cfg().endpoint) == 0);
  std::vector<sigv4::header> headers = {{"Host", cfg().authority}};
  for (const auto& [name, value] : w.headers) headers.push_back({name, value});
  return gateway().verify_presigned(w.method, w.url.substr(cfg().endpoint.size()), headers, sigv4::clock::now());
}

// The verifier refuses `w` because of the unsigned header `name`, and its detail names that
// header without quoting the value.
void check_refused_as_unsigned(const wire_request& w, const std::string& name, const std::string& value) {
  const sigv4::verify_result r = verify(w);
  INFO("verifier: " << sigv4::to_string(r.reason) << " (" << r.detail << ")");
  CHECK_FALSE(r.valid());
  CHECK(r.reason == sigv4::verify_reason::unsigned_header);
  CHECK(r.detail.find(name) != std::string::npos);
  CHECK(r.detail.find(value) == std::string::npos);
}

// A GET without any authentication.
http_response anonymous_get(const std::string& bucket, const std::string& key) {
  return rgw_it::send("GET", cfg().endpoint + "/" + bucket + "/" + encode(key, true));
}

http_response signed_as(const sigv4::credentials& who, const std::string& method, const std::string& bucket,
                        const std::string& key, const std::string& query = {}, const std::string& body = {}) {
  return signed_request(method, bucket, key, query, body, {}, who);
}

// A bucket of this run created and owned by the upload user, once per run.
std::string make_upload_user_bucket(std::string_view what) {
  static std::vector<std::string> made;
  const std::string b = bucket_name(what);
  if (std::find(made.begin(), made.end(), b) != made.end()) return b;
  const auto r = signed_as(upload_creds(), "PUT", b, "");
  INFO("CreateBucket " << b << " as the upload user: " << describe(r));
  REQUIRE(r.status == 200);
  made.push_back(b);
  return b;
}

// The private object every copy test tries to steal.
const std::string payroll_key = "private/payroll.csv";
const std::string payroll_body = "name,salary\nalice,123456\nbob,654321\n";

std::string make_private_bucket() {
  const std::string b = make_bucket("unsigned-private");
  put_object(b, payroll_key, payroll_body);
  return b;
}

// The grant of read access to everyone (S3's AllUsers group), as an x-amz-grant-read value.
const std::string all_users_grant = "uri=\"http://acs.amazonaws.com/groups/global/AllUsers\"";

std::string copy_source_of(const std::string& bucket, const std::string& key) { return bucket + "/" + key; }

bool is_access_denied(const http_response& r) {
  return r.status == 403 && r.body.find("AccessDenied") != std::string::npos;
}


// Uploads one part and completes the multipart upload that `created` (the answer to a
// CreateMultipartUpload) began; the answer to CompleteMultipartUpload.
http_response finish_multipart(const s3::presigner& ps, const std::string& bucket, const std::string& key,
                               const http_response& created, const std::string& body) {
  const std::string upload_id = xml_first(created.body, "UploadId");
  REQUIRE(!upload_id.empty());
  const auto part =
      rgw_it::send("PUT", ps.presign_upload_part(bucket, key, upload_id, 1, 300s, sigv4::clock::now()), body);
  INFO("UploadPart: " << describe(part));
  REQUIRE(part.status == 200);
  const std::string complete = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" +
                               part.header("ETag").value_or("") + "</ETag></Part></CompleteMultipartUpload>";
  return rgw_it::send("POST", ps.presign_complete_multipart_upload(bucket, key, upload_id, 300s, sigv4::clock::now()),
                      complete, {{"Content-Type", "application/xml"}});
}

}  // namespace

// =============================================================================================
// 1. The hazard: a plain presigned PUT obeys headers it never signed.

TEST_CASE("RGW 16 acts on unsigned x-amz-* headers sent with a plain presigned PUT", "[integration][unsigned]") {
  const std::string priv = make_private_bucket();
  const std::string bucket = make_bucket("unsigned-hazard");
  const auto ps = presigner_for(creds());
  const auto put_url = [&](const std::string& key) { return ps.presign_put(bucket, key, 300s, sigv4::clock::now()); };

  // Control: an upload through the plain URL is private, and the verifier accepts it.
  {
    const wire_request plain{"PUT", put_url("uploads/plain.txt"), {}, "plain upload\n"};
    const auto r = send(plain);
    INFO("plain PUT: " << describe(r));
    REQUIRE(r.status == 200);
    CHECK(anonymous_get(bucket, "uploads/plain.txt").status == 403);
    CHECK(anonymous_get(priv, payroll_key).status == 403);
    const auto v = verify(plain);
    INFO("verifier: " << sigv4::to_string(v.reason) << " (" << v.detail << ")");
    CHECK(v.valid());
  }

  SECTION("x-amz-acl: public-read makes the upload readable by anyone") {
    const std::string key = "uploads/now-public.txt", body = "anyone can read this\n";
    const wire_request w{"PUT", put_url(key), {{"x-amz-acl", "public-read"}}, body};
    const auto r = send(w);
    INFO("PUT with unsigned x-amz-acl: " << describe(r));
    CHECK(r.status == 200);  // S3 refuses (403); MinIO does not look at x-amz-acl
    const auto anon = anonymous_get(bucket, key);
    INFO("anonymous GET: " << describe(anon));
    CHECK(anon.status == 200);
    CHECK(anon.body == body);
    check_refused_as_unsigned(w, "x-amz-acl", "public-read");
  }

  SECTION("x-amz-grant-read for everyone makes the upload readable by anyone") {
    const std::string key = "uploads/granted.txt", body = "granted to all users\n";
    const wire_request w{"PUT", put_url(key), {{"x-amz-grant-read", all_users_grant}}, body};
    const auto r = send(w);
    INFO("PUT with unsigned x-amz-grant-read: " << describe(r));
    CHECK(r.status == 200);
    const auto anon = anonymous_get(bucket, key);
    INFO("anonymous GET: " << describe(anon));
    CHECK(anon.status == 200);
    CHECK(anon.body == body);
    check_refused_as_unsigned(w, "x-amz-grant-read", "acs.amazonaws.com");
  }

  SECTION("x-amz-acl: public-read on CreateMultipartUpload makes the completed object public") {
    const std::string key = "uploads/multipart-public.bin", body = "one part, public\n";
    const wire_request w{"POST", ps.presign_create_multipart_upload(bucket, key, 300s, sigv4::clock::now()),
                         {{"x-amz-acl", "public-read"}}, ""};
    const auto created = send(w);
    INFO("CreateMultipartUpload with unsigned x-amz-acl: " << describe(created));
    REQUIRE(created.status == 200);
    const auto done = finish_multipart(ps, bucket, key, created, body);
    INFO("CompleteMultipartUpload: " << describe(done));
    REQUIRE(done.status == 200);
    const auto anon = anonymous_get(bucket, key);
    INFO("anonymous GET: " << describe(anon));
    CHECK(anon.status == 200);
    CHECK(anon.body == body);
    check_refused_as_unsigned(w, "x-amz-acl", "public-read");
  }

  SECTION("x-amz-copy-source copies a private object into the uploaded key") {
    const std::string key = "uploads/report.csv";
    const std::string source = copy_source_of(priv, payroll_key);
    const wire_request w{"PUT", put_url(key), {{"x-amz-copy-source", source}}, ""};
    const auto r = send(w);
    INFO("PUT with unsigned x-amz-copy-source: " << describe(r));
    CHECK(r.status == 200);  // S3 refuses (403); upstream MinIO's signature check does not
    CHECK(r.body.find("CopyObjectResult") != std::string::npos);
    CHECK(stored_body(bucket, key) == payroll_body);
    check_refused_as_unsigned(w, "x-amz-copy-source", source);

    // Both together: the private payroll becomes public under the uploader's key.
    const std::string key2 = "uploads/leaked.csv";
    const wire_request both{"PUT", put_url(key2), {{"x-amz-copy-source", source}, {"x-amz-acl", "public-read"}}, ""};
    const auto r2 = send(both);
    INFO("PUT with unsigned x-amz-copy-source and x-amz-acl: " << describe(r2));
    CHECK(r2.status == 200);
    const auto anon = anonymous_get(bucket, key2);
    INFO("anonymous GET: " << describe(anon));
    CHECK(anon.status == 200);
    CHECK(anon.body == payroll_body);
    const auto v = verify(both);
    INFO("verifier: " << sigv4::to_string(v.reason) << " (" << v.detail << ")");
    CHECK(v.reason == sigv4::verify_reason::unsigned_header);
  }

  SECTION("x-amz-meta-* and x-amz-tagging are stored") {
    const std::string key = "uploads/with-meta.txt";
    const wire_request w{"PUT", put_url(key), {{"x-amz-meta-reviewed-by", "forged-approver"}}, "metadata\n"};
    const auto r = send(w);
    INFO("PUT with unsigned x-amz-meta-reviewed-by: " << describe(r));
    CHECK(r.status == 200);  // S3 refuses (403); MinIO refuses (400 AccessDenied, ErrUnsignedHeaders)
    const auto head = signed_request("HEAD", bucket, key);
    CHECK(head.header("x-amz-meta-reviewed-by") == "forged-approver");
    check_refused_as_unsigned(w, "x-amz-meta-reviewed-by", "forged-approver");

    const std::string key2 = "uploads/with-tags.txt";
    const wire_request t{"PUT", put_url(key2), {{"x-amz-tagging", "retention=forever"}}, "tags\n"};
    const auto rt = send(t);
    INFO("PUT with unsigned x-amz-tagging: " << describe(rt));
    CHECK(rt.status == 200);
    const auto tags = signed_request("GET", bucket, key2, "tagging");
    INFO("GetObjectTagging: " << describe(tags));
    REQUIRE(tags.status == 200);
    CHECK(xml_first(tags.body, "Key") == "retention");
    CHECK(xml_first(tags.body, "Value") == "forever");
    check_refused_as_unsigned(t, "x-amz-tagging", "forever");
  }
}

TEST_CASE("RGW 16 acts on an unsigned x-amz-acl added to a header-signed PUT too", "[integration][unsigned]") {
  // Signed with the Authorization header (host;x-amz-content-sha256;x-amz-date), then a header
  // added that the signature does not cover. S3 refuses this as it refuses the presigned case.
  const std::string bucket = make_bucket("unsigned-header-mode");
  const std::string key = "uploads/header-signed.txt", body = "header-signed upload\n";
  sigv4::http_request req;
  req.method = "PUT";
  req.path = "/" + bucket + "/" + key;
  req.headers = {{"Host", cfg().authority}};
  sigv4::signing_options opt;
  opt.region = cfg().region;
  opt.service = "s3";
  opt.path = sigv4::path_rules::s3;
  opt.payload = sigv4::payload_hash::of(body);
  opt.content_sha256_header = true;
  sigv4::sign_headers(req, creds(), opt, sigv4::clock::now());
  req.headers.push_back({"x-amz-acl", "public-read"});

  wire_request w{"PUT", cfg().endpoint + req.path, {}, body};
  for (const auto& h : req.headers)
    if (!sigv4::detail::iequals(h.name, "host")) w.headers.emplace_back(h.name, h.value);
  const auto r = send(w);
  INFO("header-signed PUT with unsigned x-amz-acl: " << describe(r));
  CHECK(r.status == 200);
  const auto anon = anonymous_get(bucket, key);
  INFO("anonymous GET: " << describe(anon));
  CHECK(anon.status == 200);
  CHECK(anon.body == body);

  std::vector<sigv4::header> headers = {{"Host", cfg().authority}};
  for (const auto& [name, value] : w.headers) headers.push_back({name, value});
  const auto v = gateway().verify_signed_request("PUT", req.path, headers, sigv4::payload_hash::of(body),
                                                 sigv4::clock::now());
  INFO("verifier: " << sigv4::to_string(v.reason) << " (" << v.detail << ")");
  CHECK(v.reason == sigv4::verify_reason::unsigned_header);
  CHECK(v.detail.find("x-amz-acl") != std::string::npos);
  CHECK(v.detail.find("public-read") == std::string::npos);
}

// =============================================================================================
// 2. The locked ACL: a PUT URL that signs x-amz-acl: private.

namespace {

// A presigner whose upload URLs sign x-amz-acl: private (path style, as presigner_for).
s3::presigner locked_presigner() {
  s3::presigner_options o;
  o.style = s3::addressing_style::path;
  o.upload_acl = "private";
  return s3::presigner(cfg().endpoint, cfg().region, creds(), o);
}

std::string locked_put_url(const s3::presigner& ps, const std::string& bucket, const std::string& key) {
  return ps.presign_put(bucket, key, 300s, sigv4::clock::now());
}

std::string locked_create_multipart_url(const s3::presigner& ps, const std::string& bucket, const std::string& key) {
  return ps.presign_create_multipart_upload(bucket, key, 300s, sigv4::clock::now());
}

sigv4::verify_reason gateway_reason(const wire_request& w) {
  const auto v = verify(w);
  INFO("verifier: " << sigv4::to_string(v.reason) << " (" << v.detail << ")");
  return v.reason;
}

}  // namespace

TEST_CASE("a PUT URL that signs x-amz-acl: private keeps the upload private on RGW", "[integration][unsigned]") {
  const std::string bucket = make_bucket("unsigned-acl-lock");
  const auto ps = locked_presigner();
  const std::string body = "locked to private\n";
  REQUIRE(locked_put_url(ps, bucket, "k").find("X-Amz-SignedHeaders=host%3Bx-amz-acl&") != std::string::npos);

  SECTION("sent with exactly private: stored, not readable anonymously, valid for the verifier") {
    const std::string key = "uploads/private.txt";
    const wire_request w{"PUT", locked_put_url(ps, bucket, key), {{"x-amz-acl", "private"}}, body};
    const auto r = send(w);
    INFO("PUT with x-amz-acl: private: " << describe(r));
    CHECK(r.status == 200);
    CHECK(stored_body(bucket, key) == body);
    CHECK(anonymous_get(bucket, key).status == 403);
    const auto v = verify(w);
    INFO("verifier: " << sigv4::to_string(v.reason) << " (" << v.detail << ")");
    CHECK(v.valid());
  }

  SECTION("sent with public-read: 403, nothing stored") {
    const std::string key = "uploads/public-read.txt";
    const wire_request w{"PUT", locked_put_url(ps, bucket, key), {{"x-amz-acl", "public-read"}}, body};
    const auto r = send(w);
    INFO("PUT with x-amz-acl: public-read: " << describe(r));
    CHECK(is_access_denied(r));
    CHECK(head_status(bucket, key) == 404);
    const auto v = verify(w);
    INFO("verifier: " << sigv4::to_string(v.reason) << " (" << v.detail << ")");
    CHECK(v.reason == sigv4::verify_reason::signature_mismatch);  // signed, and sent with another value
  }

  SECTION("sent without x-amz-acl: 403, nothing stored") {
    const std::string key = "uploads/no-acl.txt";
    const wire_request w{"PUT", locked_put_url(ps, bucket, key), {}, body};
    const auto r = send(w);
    INFO("PUT without x-amz-acl: " << describe(r));
    CHECK(is_access_denied(r));
    CHECK(head_status(bucket, key) == 404);
    const auto v = verify(w);
    INFO("verifier: " << sigv4::to_string(v.reason) << " (" << v.detail << ")");
    CHECK(v.reason == sigv4::verify_reason::signed_header_missing);
  }

  SECTION("sent with both values: RGW reads the last one, for the signature and the ACL alike") {
    // private, then public-read: RGW checks the signature against public-read and refuses.
    const std::string k1 = "uploads/both-private-first.txt";
    const wire_request w1{
        "PUT", locked_put_url(ps, bucket, k1), {{"x-amz-acl", "private"}, {"x-amz-acl", "public-read"}}, body};
    const auto r1 = send(w1);
    INFO("PUT with x-amz-acl: private and x-amz-acl: public-read: " << describe(r1));
    CHECK(is_access_denied(r1));
    CHECK(head_status(bucket, k1) == 404);
    // public-read, then private: the signature holds, and the object is stored private.
    const std::string k2 = "uploads/both-public-first.txt";
    const wire_request w2{
        "PUT", locked_put_url(ps, bucket, k2), {{"x-amz-acl", "public-read"}, {"x-amz-acl", "private"}}, body};
    const auto r2 = send(w2);
    INFO("PUT with x-amz-acl: public-read and x-amz-acl: private: " << describe(r2));
    CHECK(r2.status == 200);
    CHECK(stored_body(bucket, k2) == body);
    CHECK(anonymous_get(bucket, k2).status == 403);
    // SigV4 joins repeated headers ("public-read,private"), which is not the signed value: the
    // verifier refuses both orders.
    for (const auto* w : {&w1, &w2}) {
      const auto v = verify(*w);
      INFO("verifier: " << sigv4::to_string(v.reason) << " (" << v.detail << ")");
      CHECK(v.reason == sigv4::verify_reason::signature_mismatch);
    }
  }

  SECTION("an unsigned x-amz-grant-read beside the signed canned ACL: 400, nothing stored") {
    // RGW refuses a canned ACL together with grant headers (as S3 does); without the lock the
    // same grant makes the object public (see the hazard test).
    const std::string key = "uploads/granted.txt";
    const wire_request w{"PUT", locked_put_url(ps, bucket, key),
                         {{"x-amz-acl", "private"}, {"x-amz-grant-read", all_users_grant}}, body};
    const auto r = send(w);
    INFO("locked PUT with unsigned x-amz-grant-read: " << describe(r));
    CHECK(r.status == 400);
    CHECK(r.body.find("InvalidRequest") != std::string::npos);
    CHECK(head_status(bucket, key) == 404);
    check_refused_as_unsigned(w, "x-amz-grant-read", "acs.amazonaws.com");
  }

  SECTION("a CreateMultipartUpload URL locked to private: 403 with public-read, private with private") {
    const std::string key = "uploads/multipart.bin", part = "one part, private\n";
    const std::string url = locked_create_multipart_url(ps, bucket, key);
    REQUIRE(url.find("X-Amz-SignedHeaders=host%3Bx-amz-acl&") != std::string::npos);
    const wire_request bad{"POST", url, {{"x-amz-acl", "public-read"}}, ""};
    const auto refused = send(bad);
    INFO("locked CreateMultipartUpload with public-read: " << describe(refused));
    CHECK(is_access_denied(refused));
    CHECK(gateway_reason(bad) == sigv4::verify_reason::signature_mismatch);
    const wire_request good{"POST", url, {{"x-amz-acl", "private"}}, ""};
    const auto created = send(good);
    INFO("locked CreateMultipartUpload with private: " << describe(created));
    REQUIRE(created.status == 200);
    CHECK(verify(good).valid());
    const auto done = finish_multipart(ps, bucket, key, created, part);
    INFO("CompleteMultipartUpload: " << describe(done));
    REQUIRE(done.status == 200);
    CHECK(stored_body(bucket, key) == part);
    CHECK(anonymous_get(bucket, key).status == 403);
  }

  SECTION("the lock does not stop an unsigned x-amz-copy-source (that needs the restricted identity)") {
    const std::string priv = make_private_bucket();
    const std::string source = copy_source_of(priv, payroll_key);
    const std::string key = "uploads/copied.csv";
    const wire_request w{
        "PUT", locked_put_url(ps, bucket, key), {{"x-amz-acl", "private"}, {"x-amz-copy-source", source}}, ""};
    const auto r = send(w);
    INFO("locked PUT with unsigned x-amz-copy-source: " << describe(r));
    CHECK(r.status == 200);
    CHECK(stored_body(bucket, key) == payroll_body);
    CHECK(anonymous_get(bucket, key).status == 403);  // private, as locked
    check_refused_as_unsigned(w, "x-amz-copy-source", source);
  }
}

// =============================================================================================
// 3. The restricted signing identity: a URL signed by a user that cannot read the private
// bucket cannot copy from it.

TEST_CASE("a separate upload user that owns only the upload bucket cannot copy a private object",
          "[integration][unsigned]") {
  const std::string priv = make_private_bucket();  // owned by the first user
  const std::string uploads = make_upload_user_bucket("unsigned-upl");
  const auto ps = presigner_for(upload_creds());
  const auto put_url = [&](const std::string& key) { return ps.presign_put(uploads, key, 300s, sigv4::clock::now()); };
  const std::string source = copy_source_of(priv, payroll_key);

  // Control: the upload user's plain URL uploads, and it cannot read the private object itself.
  {
    const auto r = send(wire_request{"PUT", put_url("in/plain.txt"), {}, "plain\n"});
    INFO("plain PUT as the upload user: " << describe(r));
    REQUIRE(r.status == 200);
    const auto read = signed_as(upload_creds(), "GET", priv, payroll_key);
    INFO("GET of the private object as the upload user: " << describe(read));
    CHECK(is_access_denied(read));
  }

  SECTION("the unsigned x-amz-copy-source is refused (403) and nothing is stored") {
    const wire_request w{"PUT", put_url("in/report.csv"), {{"x-amz-copy-source", source}}, ""};
    const auto r = send(w);
    INFO("PUT with unsigned x-amz-copy-source as the upload user: " << describe(r));
    CHECK(is_access_denied(r));
    CHECK(signed_as(upload_creds(), "HEAD", uploads, "in/report.csv").status == 404);
    CHECK(r.body.find(payroll_body) == std::string::npos);
    check_refused_as_unsigned(w, "x-amz-copy-source", source);
  }

  SECTION("what remains: objects the upload user can read (its own bucket) can still be copied") {
    REQUIRE(send(wire_request{"PUT", put_url("in/someone-else.txt"), {}, "another uploader's file\n"}).status == 200);
    const std::string own = copy_source_of(uploads, "in/someone-else.txt");
    const wire_request w{"PUT", put_url("in/mine.txt"), {{"x-amz-copy-source", own}}, ""};
    const auto r = send(w);
    INFO("PUT with unsigned x-amz-copy-source from the upload bucket: " << describe(r));
    CHECK(r.status == 200);
    const auto got = signed_as(upload_creds(), "GET", uploads, "in/mine.txt");
    CHECK(got.body == "another uploader's file\n");
    check_refused_as_unsigned(w, "x-amz-copy-source", own);
  }

  SECTION("what remains: the owner's unsigned x-amz-acl still works (closed by the locked ACL)") {
    const wire_request w{"PUT", put_url("in/public.txt"), {{"x-amz-acl", "public-read"}}, "public\n"};
    const auto r = send(w);
    INFO("PUT with unsigned x-amz-acl as the upload user: " << describe(r));
    CHECK(r.status == 200);
    CHECK(anonymous_get(uploads, "in/public.txt").status == 200);
    check_refused_as_unsigned(w, "x-amz-acl", "public-read");
  }
}

TEST_CASE("a user policy denying s3:GetObject on the private bucket stops the unsigned copy",
          "[integration][unsigned]") {
  // The same user owns both buckets (so its ACL allows the read); an IAM user policy with an
  // explicit Deny of s3:GetObject on the private bucket is what stops the copy. RGW 16 applies
  // it to the copy source as to a direct GET.
  const std::string priv = make_private_bucket();
  const std::string bucket = make_bucket("unsigned-userpol");
  const auto ps = presigner_for(creds());
  const std::string source = copy_source_of(priv, payroll_key);
  const auto copy_into = [&](const std::string& key) {
    return wire_request{
        "PUT", ps.presign_put(bucket, key, 300s, sigv4::clock::now()), {{"x-amz-copy-source", source}}, ""};
  };

  // Control, before the policy: the unsigned copy works for this user.
  {
    const auto r = send(copy_into("uploads/before-policy.csv"));
    INFO("PUT with unsigned x-amz-copy-source, no policy: " << describe(r));
    REQUIRE(r.status == 200);
    CHECK(stored_body(bucket, "uploads/before-policy.csv") == payroll_body);
  }

  // The user's id (its buckets' owner) is the UserName of PutUserPolicy.
  const auto listing = signed_request("GET", "", "");
  REQUIRE(listing.status == 200);
  const std::string user = xml_first(xml_first(listing.body, "Owner"), "ID");
  REQUIRE(!user.empty());
  const std::string policy_name = "sigv4-it-deny-read-" + run_id();
  const std::string policy = R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:GetObject"],)"
                             R"("Resource":["arn:aws:s3:::)" + priv + R"(/*"]}]})";
  const auto put = iam_call({{"Action", "PutUserPolicy"},
                             {"Version", "2010-05-08"},
                             {"UserName", user},
                             {"PolicyName", policy_name},
                             {"PolicyDocument", policy}});
  INFO("PutUserPolicy: " << describe(put));
  REQUIRE(put.status == 200);
  struct remove_policy {  // the policy names this run's bucket only; removed even on failure
    std::string user_name, name;
    ~remove_policy() {
      try {
        const auto r = iam_call({{"Action", "DeleteUserPolicy"}, {"Version", "2010-05-08"}, {"UserName", user_name},
                                 {"PolicyName", name}});
        if (r.status != 200) WARN("DeleteUserPolicy answered " << describe(r));
      } catch (const std::exception& e) {
        WARN("DeleteUserPolicy failed: " << e.what());
      }
    }
  } cleanup{user, policy_name};

  // The Deny is in force for a direct read, and leaves uploads alone.
  const auto direct = send("GET", ps.presign_get(priv, payroll_key, 300s, sigv4::clock::now()));
  INFO("presigned GET of the private object under the Deny: " << describe(direct));
  CHECK(is_access_denied(direct));
  const auto plain = send("PUT", ps.presign_put(bucket, "uploads/plain.txt", 300s, sigv4::clock::now()), "plain\n");
  INFO("plain PUT under the Deny: " << describe(plain));
  CHECK(plain.status == 200);

  // The unsigned copy is refused and nothing is stored.
  const std::string key = "uploads/copied-under-deny.csv";
  const wire_request w = copy_into(key);
  const auto r = send(w);
  INFO("PUT with unsigned x-amz-copy-source under the Deny: " << describe(r));
  CHECK(is_access_denied(r));
  CHECK(head_status(bucket, key) == 404);
  check_refused_as_unsigned(w, "x-amz-copy-source", source);
}

TEST_CASE("a bucket policy on the upload bucket: StringLike on s3:x-amz-copy-source stops the copy, Null does not",
          "[integration][unsigned]") {
  // A Deny of s3:PutObject for requests that carry x-amz-copy-source. On AWS both conditions
  // below say the same ("the key is present"). RGW 16 reads the Null one the other way round:
  // it refuses plain uploads and lets the copy through.
  const std::string priv = make_private_bucket();
  const auto ps = presigner_for(creds());
  const auto with_deny = [&](const std::string& what, const std::string& condition) {
    const std::string bucket = make_bucket(what);
    const std::string policy = R"({"Version":"2012-10-17","Statement":[{"Sid":"DenyCopiesIn","Effect":"Deny",)"
                               R"("Principal":"*","Action":["s3:PutObject"],"Resource":["arn:aws:s3:::)" +
                               bucket + R"(/*"],"Condition":)" + condition + "}]}";
    const auto r = signed_request("PUT", bucket, "", "policy", policy);
    INFO("PutBucketPolicy " << policy << ": " << describe(r));
    REQUIRE(r.status == 204);
    return bucket;
  };
  const auto plain_put = [&](const std::string& bucket) {
    return send(
        wire_request{"PUT", ps.presign_put(bucket, "uploads/plain.txt", 300s, sigv4::clock::now()), {}, "plain\n"});
  };
  const auto copy_put = [&](const std::string& bucket, const std::string& key, const std::string& source) {
    return send(wire_request{
        "PUT", ps.presign_put(bucket, key, 300s, sigv4::clock::now()), {{"x-amz-copy-source", source}}, ""});
  };

  SECTION("StringLike s3:x-amz-copy-source \"*\": copies refused, plain uploads stored") {
    const std::string bucket = with_deny("unsigned-bp-like", R"({"StringLike":{"s3:x-amz-copy-source":"*"}})");
    const auto plain = plain_put(bucket);
    INFO("plain PUT: " << describe(plain));
    CHECK(plain.status == 200);
    // both spellings of the source: "bucket/key" and "/bucket/key"
    for (const std::string& source : {copy_source_of(priv, payroll_key), "/" + copy_source_of(priv, payroll_key)}) {
      const auto copy = copy_put(bucket, "uploads/copied.csv", source);
      INFO("PUT with unsigned x-amz-copy-source " << source << ": " << describe(copy));
      CHECK(is_access_denied(copy));
      CHECK(head_status(bucket, "uploads/copied.csv") == 404);
    }
  }

  SECTION("Null s3:x-amz-copy-source false: RGW 16 refuses plain uploads and lets the copy through") {
    const std::string bucket = with_deny("unsigned-bp-null", R"({"Null":{"s3:x-amz-copy-source":"false"}})");
    const auto plain = plain_put(bucket);
    INFO("plain PUT: " << describe(plain));
    CHECK(is_access_denied(plain));  // AWS: stored
    const auto copy = copy_put(bucket, "uploads/copied.csv", copy_source_of(priv, payroll_key));
    INFO("PUT with unsigned x-amz-copy-source: " << describe(copy));
    CHECK(copy.status == 200);  // AWS: refused
    CHECK(stored_body(bucket, "uploads/copied.csv") == payroll_body);
  }
}
