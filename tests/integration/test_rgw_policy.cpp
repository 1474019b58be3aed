// Network allowlists against a live Ceph RADOS Gateway (tests/integration/rgw.sh start): the
// policy documents of sigv4/policy.hpp, put on the server, judged by the server, for
// presigned URLs fetched from two loopback addresses. 127.0.0.1 is "inside", 127.0.0.2
// "outside" (libcurl binds the source address with CURLOPT_INTERFACE; the whole of 127/8 is
// loopback on Linux, so RGW on 127.0.0.1 sees the connection come from 127.0.0.2).
//
// Every test also asks the library's local evaluator, and checks it agrees with the server
// wherever the document alone decides (the bucket owner's ACL is not in the document).
//
// What RGW (checked with Ceph 16.2.15) does with these documents:
//  - a bucket policy's aws:SourceIp is the client's socket address;
//  - an Allow with IpAddress does not stop the bucket owner (the ACL allows the owner); the
//    Deny with NotIpAddress of the library's bucket shape does;
//  - it accepts s3:signatureAge (and s3:authType, s3:signatureversion) in a bucket policy but
//    never sets those keys, so conditions on them do not match; see the s3:signatureAge test;
//  - AssumeRole applies an inline session policy, aws:SourceIp conditions included. The role
//    is made through the IAM API (CreateRole, PutRolePolicy), which needs the `roles=*` cap
//    that rgw.sh gives the test user.

#include <sigv4/policy.hpp>
#include <sigv4/sigv4.hpp>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "../catch.hpp"
#include "rgw_client.hpp"

using namespace rgw_it;
namespace pol = sigv4::policy;

namespace {

const std::string inside = "127.0.0.1";
const std::string outside = "127.0.0.2";

pol::cidr_block host(const std::string& address) { return pol::cidr_block::host(pol::parse_ip_address(address)); }

// The local evaluator on a presigned GET of bucket/key from `from`, used at once.
pol::evaluation local_get(const pol::document& doc, const std::string& bucket, const std::string& key,
                          const std::string& from) {
  return pol::evaluate(doc, pol::presigned_request(pol::s3_access::get, bucket, key, pol::parse_ip_address(from), false));
}

// Whether a bucket policy refuses the owner's presigned GET: only an explicit Deny does. Where
// the document merely allows nothing, RGW falls back to the ACL, which lets the owner in.
bool refuses_owner(const pol::document& doc, const std::string& bucket, const std::string& key,
                   const std::string& from) {
  return local_get(doc, bucket, key, from).outcome == pol::decision::explicit_deny;
}

// PUT /bucket?policy, header-signed by the library; RGW answers 204 like S3. The stored
// document (GET ?policy) is the one sent, byte for byte.
void put_bucket_policy(const std::string& bucket, const std::string& json) {
  const auto r = signed_request("PUT", bucket, "", "policy", json);
  INFO("PutBucketPolicy " << bucket << ": " << describe(r) << "\n" << json);
  REQUIRE(r.status == 204);
  const auto stored = signed_request("GET", bucket, "", "policy");
  REQUIRE(stored.status == 200);
  CHECK(stored.body == json);
}


// AssumeRole with the test user's credentials; the answer as it came.
http_response assume_role(const std::string& role_arn, const std::string& session_policy) {
  sigv4::sts::assume_role_params p;
  p.role_arn = role_arn;
  p.role_session_name = "sigv4-it";
  p.duration = std::chrono::seconds(900);
  p.policy = session_policy;
  return send_form(sigv4::sts::assume_role(cfg().endpoint, cfg().region, creds(), p, sigv4::clock::now()));
}

}  // namespace

// =============================================================================================

TEST_CASE("a bucket policy from an allowlist admits 127.0.0.1 and refuses 127.0.0.2", "[integration][policy]") {
  const std::string bucket = make_bucket("pol-allowlist");
  const std::string key = "reports/2024/q1.bin", body = make_bytes(3000, 21);
  put_object(bucket, key, body);

  pol::allowlist a;
  a.bucket = bucket;
  a.actions = {pol::s3_access::get};
  a.prefix = "";
  a.networks = {host(inside)};
  const std::string json = pol::policy_json(pol::policy_kind::bucket, a);
  const pol::document doc = pol::make_policy(pol::policy_kind::bucket, a);
  CHECK(json == pol::to_json(doc));
  CHECK(json.find("\"NotIpAddress\": {\n") != std::string::npos);
  CHECK(json.find("\"aws:SourceIp\": [\"127.0.0.1/32\"]") != std::string::npos);

  const auto ps = presigner_for(creds());
  const std::string url = ps.presign_get(bucket, key, 300s, sigv4::clock::now());

  // Control: without the policy the owner's URL works from both addresses.
  {
    const auto here = get_from(inside, url), there = get_from(outside, url);
    INFO("before the policy: from " << inside << ": " << describe(here) << "\nfrom " << outside << ": "
                                    << describe(there));
    REQUIRE(here.status == 200);
    REQUIRE(there.status == 200);
  }

  put_bucket_policy(bucket, json);

  const auto here = get_from(inside, url);
  INFO("from " << inside << ": " << describe(here));
  CHECK(here.status == 200);
  CHECK(here.body == body);
  const auto there = get_from(outside, url);
  INFO("from " << outside << ": " << describe(there));
  CHECK(is_refusal(there));
  CHECK(there.body != body);

  // The local evaluator refuses where RGW refuses, by the network Deny.
  CHECK_FALSE(refuses_owner(doc, bucket, key, inside));
  const pol::evaluation out = local_get(doc, bucket, key, outside);
  CHECK(out.outcome == pol::decision::explicit_deny);
  REQUIRE(out.statement_index);
  CHECK(doc.statements[*out.statement_index].sid == "DenyAllowedNetworksObjectsOutsideNetworks");
}

TEST_CASE("a Deny with NotIpAddress alone refuses 127.0.0.2 and leaves the owner's ACL to 127.0.0.1",
          "[integration][policy]") {
  const std::string bucket = make_bucket("pol-notip");
  const std::string key = "data/object.txt", body = "only from loopback one\n";
  put_object(bucket, key, body);

  pol::statement deny;
  deny.sid = "DenyGetOutsideLoopbackOne";
  deny.effect = pol::effect::deny;
  deny.principals = {"*"};
  deny.actions = {"s3:GetObject"};
  deny.resources = {pol::object_arn(bucket, "*")};
  deny.conditions = {pol::source_ip_not_in({host(inside)})};
  pol::document doc;
  doc.statements = {deny};
  const std::string json = pol::to_json(doc);
  CHECK(json.find("\"Effect\": \"Deny\"") != std::string::npos);
  CHECK(json.find("\"Allow\"") == std::string::npos);
  put_bucket_policy(bucket, json);

  const auto ps = presigner_for(creds());
  const std::string url = ps.presign_get(bucket, key, 300s, sigv4::clock::now());
  const auto here = get_from(inside, url);
  INFO("from " << inside << ": " << describe(here));
  CHECK(here.status == 200);
  CHECK(here.body == body);
  const auto there = get_from(outside, url);
  INFO("from " << outside << ": " << describe(there));
  CHECK(is_refusal(there));

  // The Deny names s3:GetObject only: a presigned PUT from 127.0.0.2 still works.
  http_call put;
  put.method = "PUT";
  put.url = ps.presign_put(bucket, "data/from-outside.txt", 300s, sigv4::clock::now());
  put.body = "uploaded from 127.0.0.2";
  put.source_address = outside;
  const auto uploaded = perform(put);
  INFO("PUT from " << outside << ": " << describe(uploaded));
  CHECK(uploaded.status == 200);
  CHECK(stored_body(bucket, "data/from-outside.txt") == put.body);

  // Locally the document alone decides: nothing allows 127.0.0.1 (on RGW the owner's ACL
  // does), and the Deny refuses 127.0.0.2.
  CHECK(local_get(doc, bucket, key, inside).outcome == pol::decision::implicit_deny);
  CHECK(local_get(doc, bucket, key, outside).outcome == pol::decision::explicit_deny);
}

TEST_CASE("per-client allowlist: each prefix is readable only from its client's address", "[integration][policy]") {
  const std::string bucket = make_bucket("pol-clients");
  const std::string key_a = "a/one.txt", body_a = "client a's object\n";
  const std::string key_b = "b/two.txt", body_b = "client b's object\n";
  put_object(bucket, key_a, body_a);
  put_object(bucket, key_b, body_b);

  pol::allowlist a;
  a.bucket = bucket;
  a.actions = {pol::s3_access::get};
  a.clients = {{"client-a", "a/", {host(inside)}}, {"client-b", "b/", {host(outside)}}};
  const pol::document doc = pol::make_policy(pol::policy_kind::bucket, a);
  const std::string json = pol::policy_json(pol::policy_kind::bucket, a);
  CHECK(json.find("\"arn:aws:s3:::" + bucket + "/a/*\"") != std::string::npos);
  CHECK(json.find("\"arn:aws:s3:::" + bucket + "/b/*\"") != std::string::npos);
  put_bucket_policy(bucket, json);

  const auto ps = presigner_for(creds());
  const std::string url_a = ps.presign_get(bucket, key_a, 300s, sigv4::clock::now());
  const std::string url_b = ps.presign_get(bucket, key_b, 300s, sigv4::clock::now());

  struct row {
    const std::string* key;
    const std::string* url;
    const std::string* body;
    const std::string* from;
    bool admitted;
  };
  for (const row& r : {row{&key_a, &url_a, &body_a, &inside, true}, row{&key_a, &url_a, &body_a, &outside, false},
                       row{&key_b, &url_b, &body_b, &inside, false}, row{&key_b, &url_b, &body_b, &outside, true}}) {
    const auto got = get_from(*r.from, *r.url);
    INFO(*r.key << " from " << *r.from << ": " << describe(got));
    if (r.admitted) {
      CHECK(got.status == 200);
      CHECK(got.body == *r.body);
    } else {
      CHECK(is_refusal(got));
    }
    CHECK(refuses_owner(doc, bucket, *r.key, *r.from) == !r.admitted);
  }
}

TEST_CASE("s3:signatureAge: the library's limit, and what RGW does with it", "[integration][policy]") {
  const std::string bucket = make_bucket("pol-sigage");
  const std::string key = "aged/object.txt", body = "signature age\n";
  put_object(bucket, key, body);

  pol::allowlist a;
  a.bucket = bucket;
  a.actions = {pol::s3_access::get};
  a.networks = {host(inside)};
  a.max_signature_age = 60s;
  const pol::document doc = pol::make_policy(pol::policy_kind::bucket, a);
  const std::string json = pol::policy_json(pol::policy_kind::bucket, a);
  CHECK(json.find("\"NumericGreaterThanEquals\": {") != std::string::npos);
  CHECK(json.find("\"s3:signatureAge\": [\"60000\"]") != std::string::npos);

  // The library: a URL used 10 minutes after it was signed is refused by the age Deny, one
  // used within the minute is not; from outside the network Deny comes first.
  pol::request_context ctx = pol::presigned_request(pol::s3_access::get, bucket, key, pol::parse_ip_address(inside), false);
  CHECK(pol::evaluate(doc, ctx).outcome != pol::decision::explicit_deny);
  ctx.signature_age = std::chrono::minutes(10);
  const pol::evaluation old = pol::evaluate(doc, ctx);
  CHECK(old.outcome == pol::decision::explicit_deny);
  REQUIRE(old.statement_index);
  CHECK(doc.statements[*old.statement_index].sid == "DenyAllowedNetworksObjectsOldSignature");
  ctx.signature_age = std::chrono::milliseconds(59999);
  CHECK(pol::evaluate(doc, ctx).outcome != pol::decision::explicit_deny);
  ctx.signature_age = std::chrono::milliseconds(60000);
  CHECK(pol::evaluate(doc, ctx).outcome == pol::decision::explicit_deny);
  ctx.source_ip = pol::parse_ip_address(outside);
  ctx.signature_age = std::chrono::minutes(10);
  const pol::evaluation old_outside = pol::evaluate(doc, ctx);
  CHECK(old_outside.outcome == pol::decision::explicit_deny);
  REQUIRE(old_outside.statement_index);
  CHECK(doc.statements[*old_outside.statement_index].sid == "DenyAllowedNetworksObjectsOutsideNetworks");

  // RGW accepts the document and keeps it as sent.
  put_bucket_policy(bucket, json);

  // A URL signed now, and one signed 10 minutes ago (still valid: X-Amz-Expires is 1 h).
  const auto ps = presigner_for(creds());
  const auto now = sigv4::clock::now();
  const std::string fresh = ps.presign_get(bucket, key, 3600s, now);
  const std::string aged = ps.presign_get(bucket, key, 3600s, now - std::chrono::minutes(10));

  const auto fresh_here = get_from(inside, fresh);
  INFO("fresh from " << inside << ": " << describe(fresh_here));
  CHECK(fresh_here.status == 200);
  CHECK(fresh_here.body == body);
  // The document is in force: both URLs are refused from outside, by its network Deny.
  const auto fresh_there = get_from(outside, fresh), aged_there = get_from(outside, aged);
  INFO("fresh from " << outside << ": " << describe(fresh_there));
  INFO("aged from " << outside << ": " << describe(aged_there));
  CHECK(is_refusal(fresh_there));
  CHECK(is_refusal(aged_there));

  // Expected on AWS: the aged URL from 127.0.0.1 is refused by the OldSignature Deny
  // (s3:signatureAge 600000 >= 60000). RGW 16.2.15 does not put s3:signatureAge into the
  // request context at all (a Deny with NumericGreaterThanEquals 0 on it never matches), so
  // it serves that URL (200). Neither outcome is asserted here: refusing would fail on this
  // server, and serving is a server limitation, not something the library should promise.
}

TEST_CASE("AssumeRole with a session policy from an allowlist", "[integration][policy]") {
  const std::string bucket = make_bucket("pol-session");
  const std::string key = "shared/object.txt", body = "read with a role session\n";
  put_object(bucket, key, body);

  // The test user's id: the owner of its buckets.
  const auto listing = signed_request("GET", "", "");
  REQUIRE(listing.status == 200);
  const std::string user = xml_first(xml_first(listing.body, "Owner"), "ID");
  REQUIRE(!user.empty());

  // A role the user may assume, allowed to read the bucket.
  const std::string role = "sigv4-it-" + run_id();
  const std::string trust = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam:::user/)" +
                            user + R"("]},"Action":["sts:AssumeRole"]}]})";
  const auto created = iam_call({{"Action", "CreateRole"},
                                 {"Version", "2010-05-08"},
                                 {"RoleName", role},
                                 {"Path", "/"},
                                 {"AssumeRolePolicyDocument", trust}});
  INFO("CreateRole: " << describe(created));
  REQUIRE(created.status == 200);
  const std::string role_arn = xml_first(created.body, "Arn");
  REQUIRE(role_arn == "arn:aws:iam:::role/" + role);

  pol::statement read;
  read.effect = pol::effect::allow;
  read.actions = {"s3:GetObject"};
  read.resources = {pol::object_arn(bucket, "*")};
  pol::document role_policy;
  role_policy.statements = {read};
  const auto put_policy = iam_call({{"Action", "PutRolePolicy"},
                                    {"Version", "2010-05-08"},
                                    {"RoleName", role},
                                    {"PolicyName", "read-" + bucket},
                                    {"PolicyDocument", pol::to_json(role_policy, pol::json_style::compact)}});
  INFO("PutRolePolicy: " << describe(put_policy));
  REQUIRE(put_policy.status == 200);

  // The session policy: GetObject only from 127.0.0.1.
  pol::allowlist a;
  a.bucket = bucket;
  a.actions = {pol::s3_access::get};
  a.networks = {host(inside)};
  const std::string session_policy = pol::policy_json(pol::policy_kind::session, a);
  const pol::document session_doc = pol::make_policy(pol::policy_kind::session, a);
  CHECK(session_policy.find("Principal") == std::string::npos);
  CHECK(session_policy.find('\n') == std::string::npos);

  const auto url_with = [&](const std::string& policy) {
    const auto answer = assume_role(role_arn, policy);
    INFO("AssumeRole: " << describe(answer));
    REQUIRE(answer.status == 200);
    const sigv4::credentials temp = sigv4::sts::parse_credentials_response(answer.body);
    REQUIRE(temp.has_session_token());
    return presigner_for(temp).presign_get(bucket, key, 300s, sigv4::clock::now());
  };

  // Control: without a session policy the role's URL works from both addresses.
  {
    const std::string url = url_with("");
    const auto here = get_from(inside, url), there = get_from(outside, url);
    INFO("no session policy, from " << inside << ": " << describe(here) << "\nfrom " << outside << ": "
                                    << describe(there));
    CHECK(here.status == 200);
    CHECK(there.status == 200);
  }

  const std::string url = url_with(session_policy);
  const auto here = get_from(inside, url);
  INFO("session policy, from " << inside << ": " << describe(here));
  CHECK(here.status == 200);
  CHECK(here.body == body);
  const auto there = get_from(outside, url);
  INFO("session policy, from " << outside << ": " << describe(there));
  CHECK(is_refusal(there));

  // A role session has no ACL to fall back on: what the session policy does not allow is
  // refused, with or without a Deny.
  CHECK(local_get(session_doc, bucket, key, inside).outcome == pol::decision::allow);
  CHECK(local_get(session_doc, bucket, key, outside).outcome == pol::decision::implicit_deny);
}
