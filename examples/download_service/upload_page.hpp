// upload_page.hpp — the browser upload side of download_service: a page that posts the chosen
// file straight to the object store through a presigned POST form (sigv4/post_policy.hpp).
//
//   GET  /upload                         the page (a token, a job id, a file, a button)
//   GET  /upload.js                      its script
//   POST /api/v1/uploads/{job_id}/form   Authorization: Bearer <token>; the same checks as a
//                                        download (401, 403 outside the allowlist, 404, 403),
//                                        then 200 {"url": ..., "fields": {...}, "key_prefix":
//                                        ..., "max_bytes": N, "expires": "..."}
//   GET  /upload/done?bucket=&key=&etag= where the store sends the browser after a stored upload
//                                        (success_action_redirect); shows the key
//
// The flow: the page asks the API for a form for job N; the answer's fields go into a
// <form method=post enctype=multipart/form-data action=URL> whose last part is the file (S3
// ignores fields after it); the browser submits it to the store (a navigation, so no CORS is
// needed) and, once the object is stored, the store answers 303 to /upload/done with the
// bucket, key and etag in the query. The token and the job id are outside that form: the store
// refuses fields its policy does not cover, and the token must never leave for the store.
//
// The form's policy: key starts with uploads/job-N/ (the key field is uploads/job-N/${filename},
// so the object is named after the file), any Content-Type (the page sends the file's type),
// 1 to --upload-max-bytes bytes, success_action_redirect exactly --service-url + /upload/done,
// a lifetime of --upload-expires seconds. Ceph RGW 16 appends "?bucket=..." to the redirect
// even when it already has a query, so the redirect URL has none.
//
// /upload/done believes nothing it is told: anyone can type its query. It only shows the key,
// escaped, and says whether it lies under uploads/ of this service's bucket.
#ifndef DOWNLOAD_SERVICE_UPLOAD_PAGE_HPP
#define DOWNLOAD_SERVICE_UPLOAD_PAGE_HPP

#include <sigv4/post_policy.hpp>
#include <sigv4/s3.hpp>

#include <fmt/core.h>
#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace upload_page {

/// The upload options of download_service (all optional; without --service-url the upload
/// routes are not served).
struct settings {
  std::string service_url;                 ///< --service-url: this service as browsers reach it
  std::uint64_t max_bytes = 100u << 20;    ///< --upload-max-bytes: the largest file (default 100 MiB)
  std::chrono::seconds expires{600};       ///< --upload-expires: the form's lifetime (default 10 min)
};

/// Takes `name value` when it is an upload option; false when it is not one.
/// @throws UsageError (constructed from a message) for a bad value.
template <class UsageError = std::invalid_argument>
bool parse_option(std::string_view name, const std::string& value, settings& s) {
  if (name == "--service-url") {
    if (value.rfind("http://", 0) != 0 && value.rfind("https://", 0) != 0)
      throw UsageError("--service-url must start with http:// or https://");
    if (value.find_first_of("?#") != std::string::npos)
      throw UsageError("--service-url cannot hold a query or a fragment");
    s.service_url = value;
    while (!s.service_url.empty() && s.service_url.back() == '/') s.service_url.pop_back();
    return true;
  }
  if (name == "--upload-max-bytes" || name == "--upload-expires") {
    unsigned long long n = 0;
    std::size_t used = 0;
    try {
      n = std::stoull(value, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used != value.size() || value.empty() || value[0] == '-' || n == 0)
      throw UsageError(std::string(name) + " wants a whole number > 0");
    if (name == "--upload-expires") {
      if (n > 604800) throw UsageError("--upload-expires: 1 to 604800 seconds");
      s.expires = std::chrono::seconds(n);
    } else {
      if (n > sigv4::s3::max_post_object_size) throw UsageError("--upload-max-bytes: at most 5 GiB");
      s.max_bytes = n;
    }
    return true;
  }
  return false;
}

/// The key prefix of job `job`'s uploads.
inline std::string key_prefix(const std::string& job) { return "uploads/job-" + job + "/"; }

/// The signed form for an upload of job `job` (a valid job id) to `bucket`.
/// @throws sigv4::error as sigv4::s3::presign_post does.
inline sigv4::s3::post_form make_form(const sigv4::s3::presigner& presigner, const std::string& bucket,
                                      const std::string& job, const settings& s, sigv4::time_point now) {
  sigv4::s3::post_policy p;
  p.bucket = bucket;
  p.key = key_prefix(job);
  p.key_is_prefix = true;
  p.expires = s.expires;
  p.fields.push_back({"success_action_redirect", s.service_url + "/upload/done"});
  p.conditions.push_back({"Content-Type", sigv4::s3::post_match::starts_with, ""});
  p.size = sigv4::s3::content_length_range{1, s.max_bytes};
  return sigv4::s3::presign_post(presigner, p, now);
}

/// `s` as a JSON string, quotes included.
inline std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20 || c == '<' || c == '>' || c == '&') {  // also keeps the JSON inert in HTML
      out += fmt::format("\\u{:04x}", u);
    } else {
      out += c;
    }
  }
  return out + '"';
}

/// The API's answer for a form.
inline std::string form_json(const sigv4::s3::post_form& form, const std::string& job, const settings& s,
                             sigv4::time_point until) {
  std::string fields;
  for (const auto& f : form.fields) fields += (fields.empty() ? "" : ", ") + json_string(f.name) + ": " + json_string(f.value);
  return fmt::format("{{\"url\": {}, \"fields\": {{{}}}, \"key_prefix\": {}, \"max_bytes\": {}, \"expires\": {}}}\n",
                     json_string(form.url), fields, json_string(key_prefix(job)), s.max_bytes,
                     json_string(sigv4::format_amz_date(until).str()));
}

/// `s` for HTML text and attribute values.
inline std::string html_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

/// scheme://host[:port] of an http(s) URL (for the page's Content-Security-Policy).
inline std::string origin_of(std::string_view url) {
  const std::size_t start = url.find("://");
  if (start == std::string_view::npos) return std::string(url);
  const std::size_t end = url.find_first_of("/?#", start + 3);
  return std::string(url.substr(0, end));
}

inline constexpr std::string_view page_html = R"(<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Upload a file for a job</title>
<script src="/upload.js" defer></script>
</head>
<body>
<h1>Upload a file for a job</h1>
<p><label>Access token <input id="token" type="password" autocomplete="off"></label></p>
<p><label>Job <input id="job" inputmode="numeric"></label></p>
<form id="upload" method="post" enctype="multipart/form-data">
<div id="fields"></div>
<p><label>File <input id="file" type="file" name="file"></label></p>
<p><button id="send" type="submit">Upload</button></p>
</form>
<p id="status" role="status"></p>
</body>
</html>
)";

// The page's script: asks the API for a form, fills it in, submits it. The file input stays the
// form's last part. The size limit is left to the store, which enforces the policy's
// content-length-range whatever a page checks (a page's check is only a courtesy).
inline constexpr std::string_view page_js = R"(document.getElementById('upload').addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = event.target;
  const status = document.getElementById('status');
  const file = document.getElementById('file').files[0];
  const job = document.getElementById('job').value.trim();
  if (!file) { status.textContent = 'Choose a file first.'; return; }
  status.textContent = 'Asking for an upload form...';
  let answer;
  try {
    answer = await fetch('/api/v1/uploads/' + encodeURIComponent(job) + '/form', {
      method: 'POST',
      headers: { 'Authorization': 'Bearer ' + document.getElementById('token').value },
      cache: 'no-store',
    });
  } catch (e) {
    status.textContent = 'The service cannot be reached.';
    return;
  }
  const body = await answer.json().catch(() => ({}));
  if (!answer.ok) { status.textContent = 'Refused (' + answer.status + '): ' + (body.error || 'no reason given'); return; }
  const fields = document.getElementById('fields');
  fields.replaceChildren();
  const add = (name, value) => {
    const input = document.createElement('input');
    input.type = 'hidden';
    input.name = name;
    input.value = value;
    fields.appendChild(input);
  };
  for (const [name, value] of Object.entries(body.fields)) add(name, value);
  add('Content-Type', file.type || 'application/octet-stream');
  form.action = body.url;
  status.textContent = 'Uploading ' + file.name + '...';
  form.submit();
});
)";

inline void no_store(httplib::Response& res) {
  res.set_header("Cache-Control", "no-store");
  res.set_header("Referrer-Policy", "no-referrer");
  res.set_header("X-Content-Type-Options", "nosniff");
}

/// GET /upload. `store_origin` (the public endpoint's origin) is the only place besides this
/// service the page may submit a form to; the 303 back to /upload/done is a form navigation
/// too, which is why 'self' is there.
inline void serve_page(httplib::Response& res, const std::string& store_origin) {
  no_store(res);
  res.set_header("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; form-action 'self' " +
                                                store_origin + "; frame-ancestors 'none'; base-uri 'none'");
  res.set_content(std::string(page_html), "text/html; charset=utf-8");
}

inline void serve_script(httplib::Response& res) {
  no_store(res);
  res.set_content(std::string(page_js), "text/javascript; charset=utf-8");
}

/// GET /upload/done: where the store redirects after storing an upload.
inline void serve_done(const httplib::Request& req, httplib::Response& res, const std::string& bucket) {
  no_store(res);
  res.set_header("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'");
  const std::string got_bucket = req.get_param_value("bucket"), key = req.get_param_value("key"),
                    etag = req.get_param_value("etag");
  const bool ours = got_bucket == bucket && key.rfind("uploads/job-", 0) == 0;
  res.status = ours ? 200 : 400;
  res.set_content(fmt::format("<!doctype html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\"><title>{}</title></head>\n"
                              "<body>\n<h1>{}</h1>\n<p>Key: <code id=\"key\">{}</code></p>\n<p>Bucket: <code id=\"bucket\">{}"
                              "</code></p>\n<p>ETag: <code id=\"etag\">{}</code></p>\n<p><a href=\"/upload\">Upload another "
                              "file</a></p>\n</body>\n</html>\n",
                              ours ? "Uploaded" : "Not an upload of this service",
                              ours ? "Uploaded" : "Not an upload of this service", html_escape(key),
                              html_escape(got_bucket), html_escape(etag)),
                  "text/html; charset=utf-8");
}

/// Serves the upload routes. `svc.upload_form(req, res)` answers the form API after the
/// service's own checks; `public_endpoint` is where the forms post to.
template <class Service>
void add_routes(httplib::Server& server, const Service& svc, const std::string& bucket,
                const std::string& public_endpoint) {
  const std::string store = origin_of(public_endpoint);
  server.Get("/upload", [store](const httplib::Request&, httplib::Response& res) { serve_page(res, store); });
  server.Get("/upload.js", [](const httplib::Request&, httplib::Response& res) { serve_script(res); });
  server.Post(R"(/api/v1/uploads/([^/]+)/form)",
              [&svc](const httplib::Request& req, httplib::Response& res) { svc.upload_form(req, res); });
  server.Get("/upload/done", [bucket](const httplib::Request& req, httplib::Response& res) { serve_done(req, res, bucket); });
}

}  // namespace upload_page

#endif
