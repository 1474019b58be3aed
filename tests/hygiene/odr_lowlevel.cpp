// One of two translation units linked together with -flto -Wodr: this one uses the default
// (low-level SHA-256) back end of detail/openssl.hpp, odr_evp.cpp the EVP one. The back ends
// must be distinct types, or the program breaks the one-definition rule.
#include <sigv4/sigv4.hpp>

#include <string>

std::string presign_lowlevel() {
  const sigv4::s3::presigner p("https://s3.amazonaws.com", "us-east-1",
                               sigv4::credentials("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
                               sigv4::s3::addressing_style::virtual_hosted);
  sigv4::s3::object_request r;
  r.bucket = "examplebucket";
  r.key = "test.txt";
  r.expires = std::chrono::seconds(86400);
  return p.presign(r, sigv4::parse_amz_date("20130524T000000Z"));
}
