# Test fixture: an empty `openssl` port (pass this folder with --overlay-ports), so that sigv4's
# port builds and is consumed against the system's OpenSSL instead of building one.
set(VCPKG_POLICY_EMPTY_PACKAGE enabled)
