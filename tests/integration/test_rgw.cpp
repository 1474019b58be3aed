// Integration tests against a live Ceph RADOS Gateway (tests/integration/rgw.sh start).
//
// Everything that touches the server is signed by this library: the setup (buckets, objects)
// with the Authorization header and the body's x-amz-content-sha256, the checks afterwards
// (HEAD / GET / ListObjectsV2) the same way, and the requests under test with presigned URLs.
// libcurl only moves bytes. The client side (configuration, HTTP, signed setup requests) is
// in rgw_client.hpp.
//
// Every test works in buckets of its own, named after the run (time and pid), so reruns
// against the same server do not collide.

#include <sigv4/sigv4.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "../catch.hpp"
#include "rgw_client.hpp"

using namespace rgw_it;

// =============================================================================================

TEST_CASE("the library signs its own setup: bucket, upload, download, listing", "[integration]") {
  const std::string bucket = make_bucket("setup");
  const std::string body = make_bytes(100000, 7);
  put_object(bucket, "dir/setup.bin", body);
  CHECK(stored_body(bucket, "dir/setup.bin") == body);
  CHECK(list_keys(bucket) == std::vector<std::string>{"dir/setup.bin"});

  SECTION("a body that does not match x-amz-content-sha256 is refused and not stored") {
    sigv4::http_request req;
    req.method = "PUT";
    req.path = "/" + bucket + "/dir/mismatch.bin";
    req.headers = {{"Host", cfg().authority}};
    sigv4::signing_options opt;
    opt.region = cfg().region;
    opt.service = "s3";
    opt.path = sigv4::path_rules::s3;
    opt.payload = sigv4::payload_hash::of("the signed body");
    opt.content_sha256_header = true;
    sigv4::sign_headers(req, creds(), opt, sigv4::clock::now());
    http_call c;
    c.method = "PUT";
    c.url = cfg().endpoint + req.path;
    c.body = "another body";
    for (const auto& h : req.headers) c.headers.emplace_back(h.name, h.value);
    const auto r = perform(c);
    INFO(describe(r));
    CHECK(r.status == 400);
    CHECK(r.body.find("XAmzContentSHA256Mismatch") != std::string::npos);
    CHECK(head_status(bucket, "dir/mismatch.bin") == 404);
  }
}

TEST_CASE("presigned GET / PUT / HEAD / DELETE move the right bytes for awkward keys", "[integration]") {
  const std::string bucket = make_bucket("keys");
  const auto ps = presigner_for(creds());
  const std::string prefix = "k/";
  std::vector<std::string> keys = {
      prefix + "with spaces/file name.txt",
      prefix + "plus+sign+key",
      prefix + "percent%20literal%key%",
      prefix + "amp&and=equals&x=y",
      prefix + "tilde~key",
      prefix + "double//slash",
      prefix + "dots/../dotdot/./x",
      prefix + "unicod\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e/\xf0\x9f\x8c\x8d.tif",
  };
  std::string long_key = prefix + "long-";
  long_key.append(1024 - long_key.size(), 'k');
  REQUIRE(long_key.size() == 1024);
  keys.push_back(long_key);

  for (std::size_t i = 0; i < keys.size(); ++i) {
    const std::string& key = keys[i];
    const std::string body = key + '\n' + make_bytes(1000 + i * 37, static_cast<std::uint32_t>(i + 1));
    INFO("key (" << key.size() << " bytes): " << key.substr(0, 80));

    // PUT through a presigned URL; the header-signed GET finds exactly these bytes.
    const auto put = send("PUT", ps.presign_put(bucket, key, 300s, sigv4::clock::now()), body);
    INFO("PUT: " << describe(put));
    REQUIRE(put.status == 200);
    CHECK(stored_body(bucket, key) == body);

    // GET and HEAD through presigned URLs.
    const auto get = send("GET", ps.presign_get(bucket, key, 300s, sigv4::clock::now()));
    INFO("GET: " << describe(get));
    REQUIRE(get.status == 200);
    CHECK(get.body == body);
    const auto head = send("HEAD", ps.presign_head(bucket, key, 300s, sigv4::clock::now()));
    CHECK(head.status == 200);
    CHECK(head.header("Content-Length") == std::to_string(body.size()));
    CHECK(head.body.empty());

    // A header-signed upload read back through a presigned GET.
    const std::string body2 = "second version of " + key;
    put_object(bucket, key, body2);
    CHECK(send("GET", ps.presign_get(bucket, key, 300s, sigv4::clock::now())).body == body2);
  }

  // The server names every object exactly as the key was given: "//", "..", "." kept.
  auto listed = list_keys(bucket, prefix);
  auto expected = keys;
  std::sort(listed.begin(), listed.end());
  std::sort(expected.begin(), expected.end());
  CHECK(listed == expected);

  // DELETE through presigned URLs.
  for (const auto& key : keys) {
    INFO("key: " << key.substr(0, 80));
    const auto del = send("DELETE", ps.presign_delete(bucket, key, 300s, sigv4::clock::now()));
    INFO("DELETE: " << describe(del));
    CHECK(del.status == 204);
    CHECK(head_status(bucket, key) == 404);
  }
  CHECK(list_keys(bucket, prefix).empty());
}

TEST_CASE("tampered, misused, expired and wrongly signed URLs are refused with 403", "[integration]") {
  const std::string bucket = make_bucket("refuse");
  const auto ps = presigner_for(creds());
  const auto now = [] { return sigv4::clock::now(); };
  const std::string keep = "keep/object.bin", keep_body = make_bytes(4096, 99);
  put_object(bucket, keep, keep_body);
  const auto still_there = [&] {
    CHECK(stored_body(bucket, keep) == keep_body);
  };
  const std::string fresh = "fresh/never-stored.bin";
  const auto nothing_stored = [&] {
    CHECK(head_status(bucket, fresh) == 404);
    CHECK(list_keys(bucket, "fresh/").empty());
  };

  // Positive controls: the untampered URLs work (on another key, to keep the others clean).
  REQUIRE(send("PUT", ps.presign_put(bucket, "control.bin", 60s, now()), "x").status == 200);
  REQUIRE(send("GET", ps.presign_get(bucket, keep, 60s, now())).body == keep_body);

  SECTION("one signature digit changed") {
    for (const auto& [method, url] : std::vector<std::pair<std::string, std::string>>{
             {"PUT", ps.presign_put(bucket, fresh, 60s, now())},
             {"GET", ps.presign_get(bucket, keep, 60s, now())},
             {"DELETE", ps.presign_delete(bucket, keep, 60s, now())}}) {
      const auto r = send(method, with_signature_digit_changed(url), "tampered");
      INFO(method << ": " << describe(r));
      CHECK(is_refusal(r));
    }
    nothing_stored();
    still_there();
  }

  SECTION("an expired URL (1 s)") {
    const std::string put = ps.presign_put(bucket, fresh, 1s, now());
    const std::string get = ps.presign_get(bucket, keep, 1s, now());
    const std::string del = ps.presign_delete(bucket, keep, 1s, now());
    std::this_thread::sleep_for(2500ms);
    const auto rp = send("PUT", put, "late");
    const auto rg = send("GET", get);
    const auto rd = send("DELETE", del);
    INFO("PUT " << describe(rp) << "\nGET " << describe(rg) << "\nDELETE " << describe(rd));
    CHECK(is_refusal(rp));
    CHECK(is_refusal(rg));
    CHECK(is_refusal(rd));
    nothing_stored();
    still_there();
  }

  SECTION("a GET URL used for PUT or DELETE") {
    const auto rp = send("PUT", ps.presign_get(bucket, fresh, 60s, now()), "not allowed");
    const auto rd = send("DELETE", ps.presign_get(bucket, keep, 60s, now()));
    const auto rh = send("PUT", ps.presign_get(bucket, keep, 60s, now()), "overwrite");
    INFO("PUT " << describe(rp) << "\nDELETE " << describe(rd) << "\nPUT over " << describe(rh));
    CHECK(is_refusal(rp));
    CHECK(is_refusal(rd));
    CHECK(is_refusal(rh));
    nothing_stored();
    still_there();
  }

  SECTION("a URL for one key used on another") {
    const std::string other_put = ps.presign_put(bucket, "other/a.bin", 60s, now());
    const std::string fresh_put = ps.presign_put(bucket, fresh, 60s, now());
    const auto rp = send("PUT", with_path_of(other_put, fresh_put), "wrong key");
    const std::string other_del = ps.presign_delete(bucket, "other/a.bin", 60s, now());
    const std::string keep_get = ps.presign_get(bucket, keep, 60s, now());
    const auto rd = send("DELETE", with_path_of(other_del, keep_get));
    const std::string other_get = ps.presign_get(bucket, "other/a.bin", 60s, now());
    const auto rg = send("GET", with_path_of(other_get, keep_get));
    INFO("PUT " << describe(rp) << "\nDELETE " << describe(rd) << "\nGET " << describe(rg));
    CHECK(is_refusal(rp));
    CHECK(is_refusal(rd));
    CHECK(is_refusal(rg));
    CHECK(head_status(bucket, "other/a.bin") == 404);
    nothing_stored();
    still_there();
  }

  SECTION("an added query parameter") {
    const auto rp = send("PUT", ps.presign_put(bucket, fresh, 60s, now()) + "&x-id=PutObject", "extra");
    const auto rg = send("GET", ps.presign_get(bucket, keep, 60s, now()) + "&response-content-type=text%2Fhtml");
    const auto rd = send("DELETE", ps.presign_delete(bucket, keep, 60s, now()) + "&foo=bar");
    INFO("PUT " << describe(rp) << "\nGET " << describe(rg) << "\nDELETE " << describe(rd));
    CHECK(is_refusal(rp));
    CHECK(is_refusal(rg));
    CHECK(is_refusal(rd));
    nothing_stored();
    still_there();
  }

  SECTION("Content-Type signed and sent different") {
    const std::string url = ps.presign_put(bucket, fresh, 60s, now(), {{"Content-Type", "image/tiff"}});
    const auto wrong = send("PUT", url, "body", {{"Content-Type", "text/html"}});
    INFO("wrong Content-Type: " << describe(wrong));
    CHECK(is_refusal(wrong));
    nothing_stored();
    // The same URL with the signed value works, and the object keeps it.
    const std::string ok_key = "typed/ok.tif";
    const auto ok = send("PUT", ps.presign_put(bucket, ok_key, 60s, now(), {{"Content-Type", "image/tiff"}}), "tiff",
                         {{"Content-Type", "image/tiff"}});
    INFO("right Content-Type: " << describe(ok));
    CHECK(ok.status == 200);
    const auto head = signed_request("HEAD", bucket, ok_key);
    CHECK(head.header("Content-Type") == "image/tiff");
  }

  SECTION("a wrong secret") {
    const auto bad = presigner_for(sigv4::credentials(cfg().access_key, "not-the-secret-key-0123456789"));
    const auto rp = send("PUT", bad.presign_put(bucket, fresh, 60s, now()), "wrong secret");
    const auto rg = send("GET", bad.presign_get(bucket, keep, 60s, now()));
    const auto rd = send("DELETE", bad.presign_delete(bucket, keep, 60s, now()));
    INFO("PUT " << describe(rp) << "\nGET " << describe(rg) << "\nDELETE " << describe(rd));
    CHECK(is_refusal(rp));
    CHECK(is_refusal(rg));
    CHECK(is_refusal(rd));
    nothing_stored();
    still_there();
  }
}

TEST_CASE("a multipart upload done entirely with presigned URLs", "[integration]") {
  const std::string bucket = make_bucket("multipart");
  const auto ps = presigner_for(creds());
  const std::string key = "big/multi part+object.bin";
  const std::size_t mib = 1024 * 1024;
  const std::vector<std::string> parts = {make_bytes(5 * mib, 11), make_bytes(5 * mib + 1, 12),
                                          make_bytes(5 * mib + 4321, 13)};

  const auto created = send("POST", ps.presign_create_multipart_upload(bucket, key, 300s, sigv4::clock::now()));
  INFO("CreateMultipartUpload: " << describe(created));
  REQUIRE(created.status == 200);
  const std::string upload_id = xml_first(created.body, "UploadId");
  REQUIRE(!upload_id.empty());

  std::string complete = "<CompleteMultipartUpload>";
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const int n = static_cast<int>(i + 1);
    const auto r = send("PUT", ps.presign_upload_part(bucket, key, upload_id, n, 300s, sigv4::clock::now()), parts[i]);
    INFO("UploadPart " << n << ": " << describe(r));
    REQUIRE(r.status == 200);
    const auto etag = r.header("ETag");
    REQUIRE(etag);
    complete += "<Part><PartNumber>" + std::to_string(n) + "</PartNumber><ETag>" + *etag + "</ETag></Part>";
  }
  complete += "</CompleteMultipartUpload>";
  // The object does not exist before completion.
  CHECK(head_status(bucket, key) == 404);

  const auto done = send("POST", ps.presign_complete_multipart_upload(bucket, key, upload_id, 300s, sigv4::clock::now()),
                         complete, {{"Content-Type", "application/xml"}});
  INFO("CompleteMultipartUpload: " << describe(done));
  REQUIRE(done.status == 200);
  CHECK(done.body.find("<Error>") == std::string::npos);
  CHECK(done.body.find("CompleteMultipartUploadResult") != std::string::npos);

  const auto got = send("GET", ps.presign_get(bucket, key, 300s, sigv4::clock::now()));
  REQUIRE(got.status == 200);
  const std::string whole = parts[0] + parts[1] + parts[2];
  CHECK(got.body.size() == whole.size());
  CHECK(got.body == whole);  // (not printed on failure: 15 MiB)
  const auto etag = got.header("ETag").value_or("");
  CHECK(etag.find("-3") != std::string::npos);

  {  // an aborted upload leaves nothing behind
    const std::string k2 = "big/aborted.bin";
    const auto c2 = send("POST", ps.presign_create_multipart_upload(bucket, k2, 60s, sigv4::clock::now()));
    REQUIRE(c2.status == 200);
    const std::string id2 = xml_first(c2.body, "UploadId");
    REQUIRE(send("PUT", ps.presign_upload_part(bucket, k2, id2, 1, 60s, sigv4::clock::now()), "tiny").status == 200);
    const auto ab = send("DELETE", ps.presign_abort_multipart_upload(bucket, k2, id2, 60s, sigv4::clock::now()));
    INFO("AbortMultipartUpload: " << describe(ab));
    CHECK(ab.status == 204);
    CHECK(head_status(bucket, k2) == 404);
  }
}

TEST_CASE("temporary credentials from STS GetSessionToken", "[integration]") {
  const std::string bucket = make_bucket("sts");
  const std::string key = "temp/object.txt", body = "read with a session token\n";
  put_object(bucket, key, body);

  const auto form = sigv4::sts::get_session_token(cfg().endpoint, cfg().region, creds(), 900s, sigv4::clock::now());
  const auto answer = send_form(form);
  INFO("GetSessionToken: " << describe(answer));
  REQUIRE(answer.status == 200);
  const sigv4::credentials temp = sigv4::sts::parse_credentials_response(answer.body);
  CHECK(temp.has_session_token());
  REQUIRE(temp.expiration());
  CHECK(*temp.expiration() > sigv4::clock::now());
  CHECK(temp.access_key_id() != cfg().access_key);

  const auto ps = presigner_for(temp);
  const std::string url = ps.presign_get(bucket, key, 300s, sigv4::clock::now());
  REQUIRE(url.find("X-Amz-Security-Token=") != std::string::npos);
  const auto with_token = send("GET", url);
  INFO("with the token: " << describe(with_token));
  CHECK(with_token.status == 200);
  CHECK(with_token.body == body);

  const auto without_token = send("GET", with_param_removed(url, "X-Amz-Security-Token"));
  INFO("without the token: " << describe(without_token));
  CHECK(is_refusal(without_token));

  // A presigned PUT and a header-signed request with the temporary credentials work too.
  const auto put = send("PUT", ps.presign_put(bucket, "temp/uploaded.txt", 300s, sigv4::clock::now()), "via token");
  CHECK(put.status == 200);
  const auto head = signed_request("HEAD", bucket, "temp/uploaded.txt", {}, {}, {}, temp);
  CHECK(head.status == 200);

  // A URL that would outlive the credentials is refused by the presigner, not by the server.
  CHECK_THROWS_AS(ps.presign_get(bucket, key, 3600s, sigv4::clock::now()), sigv4::error);
}

TEST_CASE("response-content-disposition comes back in the response headers", "[integration]") {
  const std::string bucket = make_bucket("disposition");
  const std::string key = "jobs/job-123/result.tif", body = make_bytes(2048, 5);
  put_object(bucket, key, body);
  const auto ps = presigner_for(creds());
  const std::string disposition = "attachment; filename=\"result 123.tif\"";
  s3::object_request req;
  req.method = s3::http_method::get;
  req.bucket = bucket;
  req.key = key;
  req.expires = 900s;
  req.query = {{"response-content-disposition", disposition}, {"response-content-type", "image/tiff"}};
  const auto r = send("GET", ps.presign(req, sigv4::clock::now()));
  INFO(describe(r));
  REQUIRE(r.status == 200);
  CHECK(r.body == body);
  CHECK(r.header("Content-Disposition") == disposition);
  CHECK(r.header("Content-Type") == "image/tiff");
}
